// Package layout (all integers big-endian). The header has a fixed size so that a receiver can
// check the base image and the declared sizes before it accepts a single byte of payload.
//
//   offset size
//        0    4  magic "OTAD"
//        4    1  format version (1)
//        5    1  method (1 = bsdiff-brotli delta, 2 = brotli-compressed full image)
//        6    1  diff word size: 1, 2 or 4 bytes (see word-diff.ts); 0 for a full image
//        7    4  base image length
//       11   32  base image SHA-256
//       43    4  result image length
//       47   32  result image SHA-256
//       79    4  control stream length (compressed)
//       83    4  diff stream length (compressed)
//       87    4  extra stream length (compressed)
//       91       streams: control, diff, extra, each a complete brotli stream
//
// A full-image package has empty control and diff streams and carries the image in "extra".

import { toHex } from './digest.ts';
import { DeltaError } from './errors.ts';
import { DIFF_WORDS } from './word-diff.ts';
import type { DiffWord } from './word-diff.ts';

export const MAGIC = Uint8Array.of(0x4f, 0x54, 0x41, 0x44); // "OTAD"
export const FORMAT_VERSION = 1;
export const HEADER_LENGTH = 91;
export const MAX_IMAGE_LENGTH = 0xffff_ffff;

export const METHODS = { 'bsdiff-brotli': 1, 'full-brotli': 2 } as const;
export type DeltaMethod = keyof typeof METHODS;

export interface ImageRef {
  readonly length: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

export interface StreamLengths {
  readonly control: number;
  readonly diff: number;
  readonly extra: number;
}

export interface PackageHeader {
  readonly version: typeof FORMAT_VERSION;
  readonly method: DeltaMethod;
  /** Word size of the diff stream's subtraction; null for a full image. */
  readonly diffWord: DiffWord | null;
  readonly base: ImageRef;
  readonly result: ImageRef;
  /** Compressed lengths of the three streams that follow the header. */
  readonly streams: StreamLengths;
  /** Header plus streams: the exact length of a well-formed package. */
  readonly packageLength: number;
}

export function writeHeader(h: Omit<PackageHeader, 'version' | 'packageLength'>): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = FORMAT_VERSION;
  out[5] = METHODS[h.method];
  out[6] = h.diffWord ?? 0;
  view.setUint32(7, h.base.length);
  out.set(fromHex(h.base.sha256), 11);
  view.setUint32(43, h.result.length);
  out.set(fromHex(h.result.sha256), 47);
  view.setUint32(79, h.streams.control);
  view.setUint32(83, h.streams.diff);
  view.setUint32(87, h.streams.extra);
  return out;
}

/** Parses and checks the fixed header at the start of `bytes` (which may hold more than the header). */
export function readHeader(bytes: Uint8Array): PackageHeader {
  if (bytes.length < MAGIC.length || !MAGIC.every((b, i) => bytes[i] === b)) {
    if (bytes.length < MAGIC.length && MAGIC.subarray(0, bytes.length).every((b, i) => bytes[i] === b)) {
      throw new DeltaError(
        'truncated',
        `package is ${bytes.length} bytes, shorter than its ${HEADER_LENGTH}-byte header`,
      );
    }
    throw new DeltaError('corrupt', 'not a delta package: bad magic (expected "OTAD")');
  }
  if (bytes.length < 5) throw new DeltaError('truncated', `package is ${bytes.length} bytes, shorter than its header`);
  if (bytes[4] !== FORMAT_VERSION) {
    throw new DeltaError(
      'unsupported_version',
      `package format version ${bytes[4]} is not supported (this decoder reads ${FORMAT_VERSION})`,
    );
  }
  if (bytes.length < HEADER_LENGTH) {
    throw new DeltaError(
      'truncated',
      `package is ${bytes.length} bytes, shorter than its ${HEADER_LENGTH}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_LENGTH);
  const methodCode = bytes[5];
  const method = (Object.keys(METHODS) as DeltaMethod[]).find((k) => METHODS[k] === methodCode);
  if (!method) throw new DeltaError('unsupported_version', `package method ${methodCode} is not supported`);
  const streams = { control: view.getUint32(79), diff: view.getUint32(83), extra: view.getUint32(87) };
  let diffWord: DiffWord | null = null;
  if (method === 'full-brotli') {
    if (streams.control !== 0 || streams.diff !== 0 || bytes[6] !== 0) {
      throw new DeltaError('corrupt', 'full-image package declares control or diff streams');
    }
  } else {
    diffWord = DIFF_WORDS.find((w) => w === bytes[6]) ?? null;
    if (diffWord === null) throw new DeltaError('corrupt', `diff word size ${bytes[6]} is not 1, 2 or 4`);
  }
  return {
    version: FORMAT_VERSION,
    method,
    diffWord,
    base: { length: view.getUint32(7), sha256: toHex(bytes.subarray(11, 43)) },
    result: { length: view.getUint32(43), sha256: toHex(bytes.subarray(47, 79)) },
    streams,
    packageLength: HEADER_LENGTH + streams.control + streams.diff + streams.extra,
  };
}

function fromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a SHA-256 hex digest: ${hex}`);
  return Buffer.from(hex, 'hex');
}
