// Package layout, version 4 (versions 2 and 3 are still read: 3 is 4 without method 3, 2 is 3
// without the reference map). Small deltas are often under 100 bytes of payload, so the header is
// compact: lengths are LEB128 varints and the base is named by a SHA-256 prefix (see "Why a base
// prefix is enough" in the README: the result's full SHA-256 is always checked, and the package
// itself is pinned by hash in signed TUF metadata).
//
//   size   field
//      4   magic "OTAD"
//      1   format version (4)
//      1   kind: bits 0-1 method (1 = bsdiff-brotli delta, 2 = brotli-compressed full image,
//          3 = lzma-section: a package of the image with its LZMA section decompressed, see below),
//          bits 2-4 diff word size (1, 2 or 4; 0 for a full image), bits 5-7 code transform
//          (0 none, 1 arm64, 2 thumb2; see transform.ts; a full image may carry one too)
//   1..5   varint: result image length
//   1..5   varint: base image length
//   1..5   varint each: compressed length of the control, reference map (not in version 2), diff
//          and extra streams
//      8   base image SHA-256, first 8 bytes
//     32   result image SHA-256
//          streams: control, reference map, diff, extra, each a complete brotli stream (an empty
//          reference map stream means none: see ref-map.ts)
//
// A full-image package has empty control, map and diff streams and carries the image in "extra".
// An lzma-section package (version 4 only; no diff word, no transform) has empty map and diff
// streams; "control" holds the section descriptor (lzma-section.ts, not compressed) and "extra" a
// whole nested package (any method but this one) that turns the base with its LZMA section
// decompressed into the result with its section decompressed; the decoder recompresses that
// section (section-package.ts) and checks the result's SHA-256 as for any package.

import { toHex } from './digest.ts';
import { DeltaError } from './errors.ts';
import { TRANSFORMS } from './transform.ts';
import type { CodeTransform } from './transform.ts';
import { putVarint, readVarint } from './varint.ts';
import { DIFF_WORDS } from './word-diff.ts';
import type { DiffWord } from './word-diff.ts';

export const MAGIC = Uint8Array.of(0x4f, 0x54, 0x41, 0x44); // "OTAD"
export const FORMAT_VERSION = 4;
/** Versions this decoder reads: 3 is 4 without method 3, 2 is 3 without the reference map stream. */
const READABLE_VERSIONS: readonly number[] = [2, 3, 4];
export const BASE_PREFIX_LENGTH = 8;
const SHA256_LENGTH = 32;
const FIXED_LENGTH = MAGIC.length + 2 + BASE_PREFIX_LENGTH + SHA256_LENGTH;
const VARINTS = 6;
const MAX_VARINT_BYTES = 5;
/** The longest header: enough bytes to read any header in one go. */
export const MAX_HEADER_LENGTH = FIXED_LENGTH + VARINTS * MAX_VARINT_BYTES;
export const MAX_IMAGE_LENGTH = 0xffff_ffff;

export const METHODS = { 'bsdiff-brotli': 1, 'full-brotli': 2, 'lzma-section': 3 } as const;
export type DeltaMethod = keyof typeof METHODS;

export interface ImageRef {
  readonly length: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

/** The base image as the header names it: its length and the first 8 bytes of its SHA-256. */
export interface BaseRef {
  readonly length: number;
  /** Lower-case hex, 16 digits. */
  readonly sha256Prefix: string;
}

export interface StreamLengths {
  readonly control: number;
  readonly refMap: number;
  readonly diff: number;
  readonly extra: number;
}

/** What the payload is: a delta (with its diff word and code transform) or a full image. */
export type PackageKind =
  | { readonly method: 'bsdiff-brotli'; readonly diffWord: DiffWord; readonly transform: CodeTransform }
  | { readonly method: 'full-brotli'; readonly diffWord: null; readonly transform: CodeTransform }
  | { readonly method: 'lzma-section'; readonly diffWord: null; readonly transform: 'none' };

type ReadableVersion = 2 | 3 | typeof FORMAT_VERSION;

export type PackageHeader = PackageKind & {
  readonly version: ReadableVersion;
  readonly base: BaseRef;
  readonly result: ImageRef;
  /** Compressed lengths of the three streams that follow the header. */
  readonly streams: StreamLengths;
  /** Bytes of this header. */
  readonly headerLength: number;
  /** Header plus streams: the exact length of a well-formed package. */
  readonly packageLength: number;
};

export type HeaderFields = PackageKind & {
  readonly base: ImageRef;
  readonly result: ImageRef;
  readonly streams: StreamLengths;
};

export function writeHeader(h: HeaderFields): Uint8Array {
  const out: number[] = [...MAGIC, FORMAT_VERSION];
  out.push(METHODS[h.method] | ((h.diffWord ?? 0) << 2) | (TRANSFORMS[h.transform] << 5));
  const { control, refMap, diff, extra } = h.streams;
  for (const n of [h.result.length, h.base.length, control, refMap, diff, extra]) {
    putVarint(out, n);
  }
  out.push(...fromHex(h.base.sha256).subarray(0, BASE_PREFIX_LENGTH), ...fromHex(h.result.sha256));
  return Uint8Array.from(out);
}

/** Parses and checks the header at the start of `bytes` (which may hold more than the header). */
export function readHeader(bytes: Uint8Array): PackageHeader {
  const version = checkMagicAndVersion(bytes);
  const kind = readKind(bytes[5], version);
  if (kind === undefined) throw new DeltaError('truncated', `package ends inside its header`);
  const cursor = { offset: 6 };
  const lengths = Array.from({ length: version === 2 ? VARINTS - 1 : VARINTS }, () => readLength(bytes, cursor));
  const [resultLength, baseLength, control] = lengths as [number, number, number];
  const streamLengths = lengths.slice(3);
  const [refMap, diff, extra] = (version === 2 ? [0, ...streamLengths] : streamLengths) as [number, number, number];
  const headerLength = cursor.offset + BASE_PREFIX_LENGTH + SHA256_LENGTH;
  if (bytes.length < headerLength) {
    throw new DeltaError('truncated', `package is ${bytes.length} bytes, shorter than its ${headerLength}-byte header`);
  }
  const streams = { control, refMap, diff, extra };
  if (kind.method === 'full-brotli' && (control !== 0 || refMap !== 0 || diff !== 0)) {
    throw new DeltaError('corrupt', 'full-image package declares control, reference map or diff streams');
  }
  if (kind.method === 'lzma-section' && (refMap !== 0 || diff !== 0)) {
    throw new DeltaError('corrupt', 'lzma-section package declares reference map or diff streams');
  }
  if (refMap !== 0 && kind.transform === 'none') {
    throw new DeltaError('corrupt', 'package declares a reference map without a code transform');
  }
  const prefixAt = cursor.offset;
  return {
    ...kind,
    version,
    base: { length: baseLength, sha256Prefix: toHex(bytes.subarray(prefixAt, prefixAt + BASE_PREFIX_LENGTH)) },
    result: { length: resultLength, sha256: toHex(bytes.subarray(prefixAt + BASE_PREFIX_LENGTH, headerLength)) },
    streams,
    headerLength,
    packageLength: headerLength + control + refMap + diff + extra,
  };
}

function checkMagicAndVersion(bytes: Uint8Array): ReadableVersion {
  const n = Math.min(bytes.length, MAGIC.length);
  if (!MAGIC.subarray(0, n).every((b, i) => bytes[i] === b)) {
    throw new DeltaError('corrupt', 'not a delta package: bad magic (expected "OTAD")');
  }
  if (bytes.length <= MAGIC.length) {
    throw new DeltaError('truncated', `package is ${bytes.length} bytes, shorter than its header`);
  }
  const version = bytes[4]!;
  if (!isReadable(version)) {
    throw new DeltaError(
      'unsupported_version',
      `package format version ${version} is not supported (this decoder reads versions ${READABLE_VERSIONS.join(', ')})`,
    );
  }
  return version;
}

function isReadable(version: number): version is ReadableVersion {
  return READABLE_VERSIONS.includes(version);
}

/** The kind byte decoded; undefined when the package ends before it. */
function readKind(byte: number | undefined, version: ReadableVersion): PackageKind | undefined {
  if (byte === undefined) return undefined;
  const methodCode = byte & 3;
  const wordCode = (byte >> 2) & 7;
  const transformCode = byte >> 5;
  const method = (Object.keys(METHODS) as DeltaMethod[]).find((k) => METHODS[k] === methodCode);
  if (!method) throw new DeltaError('unsupported_version', `package method ${methodCode} is not supported`);
  const transform = (Object.keys(TRANSFORMS) as CodeTransform[]).find((k) => TRANSFORMS[k] === transformCode);
  if (!transform) throw new DeltaError('unsupported_version', `code transform ${transformCode} is not supported`);
  if (method === 'lzma-section') {
    if (version < 4)
      throw new DeltaError('unsupported_version', `package method 3 needs format version 4, not ${version}`);
    if (wordCode !== 0 || transform !== 'none') {
      throw new DeltaError('corrupt', 'lzma-section package declares a diff word or code transform');
    }
    return { method, diffWord: null, transform };
  }
  if (method === 'full-brotli') {
    if (wordCode !== 0) throw new DeltaError('corrupt', 'full-image package declares a diff word');
    return { method, diffWord: null, transform };
  }
  const diffWord = DIFF_WORDS.find((w) => w === wordCode);
  if (diffWord === undefined) throw new DeltaError('corrupt', `diff word size ${wordCode} is not 1, 2 or 4`);
  return { method, diffWord, transform };
}

function readLength(bytes: Uint8Array, cursor: { offset: number }): number {
  const value = readVarint(bytes, cursor, 'package header', 'truncated');
  if (value > MAX_IMAGE_LENGTH) throw new DeltaError('corrupt', `header length field ${value} exceeds 32 bits`);
  return value;
}

function fromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a SHA-256 hex digest: ${hex}`);
  return Buffer.from(hex, 'hex');
}
