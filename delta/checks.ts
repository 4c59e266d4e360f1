// Checks shared by the one-shot and the streaming decoder.

import { sha256Hex } from './digest.ts';
import { DeltaError } from './errors.ts';
import type { PackageHeader } from './format.ts';
import { decompress } from './brotli.ts';
import { decodeRefMap } from './ref-map.ts';
import type { RefMap } from './ref-map.ts';

export interface DecodeOptions {
  /** Refuse packages that declare a larger result (default 512 MiB). */
  readonly maxResultLength?: number;
  /** decodeStream: the largest piece of the result it yields (default 64 KiB; a bootloader: its sector). */
  readonly outputChunk?: number;
}

export const DEFAULT_MAX_RESULT = 512 * 1024 * 1024;
/** Longest control encoding of one op (three 5-byte varints); every op writes at least one byte. */
const MAX_OP_BYTES = 15;
/** A reference map holds at most one breakpoint per distinct target: far below this. */
const MAX_REF_MAP_BYTES = 1024 * 1024;

export interface Streams {
  readonly control: Uint8Array;
  /** Empty when the package has no reference map. */
  readonly refMap: Uint8Array;
  readonly diff: Uint8Array;
  readonly extra: Uint8Array;
}

/** Refuses a declared result above the limit and a base image other than the package's. */
export function checkHeader(header: PackageHeader, old: Uint8Array, opts: DecodeOptions): void {
  const max = opts.maxResultLength ?? DEFAULT_MAX_RESULT;
  if (header.result.length > max) {
    throw new DeltaError('too_large', `package declares a ${header.result.length}-byte result; the limit is ${max}`);
  }
  if (header.base.length !== old.length) {
    throw new DeltaError(
      'base_mismatch',
      `package is for a ${header.base.length}-byte base image, this one has ${old.length} bytes`,
    );
  }
  const sha = sha256Hex(old);
  if (!sha.startsWith(header.base.sha256Prefix)) {
    throw new DeltaError(
      'base_mismatch',
      `package is for a base image whose sha256 starts ${header.base.sha256Prefix}, this one is ${sha}`,
    );
  }
}

export function checkResult(header: PackageHeader, sha: string): void {
  if (sha !== header.result.sha256) {
    throw new DeltaError(
      'result_mismatch',
      `rebuilt image has sha256 ${sha}, the package declares ${header.result.sha256}`,
    );
  }
}

/** The three streams of a package body (whose length the caller has checked). */
export function splitStreams(header: PackageHeader, body: Uint8Array): Streams {
  const { control, refMap, diff } = header.streams;
  const mapEnd = control + refMap;
  return {
    control: body.subarray(0, control),
    refMap: body.subarray(control, mapEnd),
    diff: body.subarray(mapEnd, mapEnd + diff),
    extra: body.subarray(mapEnd + diff),
  };
}

/** The package's reference map (its compressed stream), or undefined when it has none. */
export function readRefMap(refMap: Uint8Array): RefMap | undefined {
  if (refMap.length === 0) return undefined;
  return decodeRefMap(decompress(refMap, MAX_REF_MAP_BYTES, 'reference map'));
}

/** Most bytes a well-formed control stream can decompress to. */
export function controlLimit(resultLength: number): number {
  return (resultLength + 1) * MAX_OP_BYTES;
}
