// Where a UEFI firmware image keeps its LZMA-compressed section, and what a package records about
// it. EDK2 (GenFds with BaseTools' LzmaCompress) stores a compressed firmware volume as a
// GUID-defined section (PI spec: 3-byte size, type 0x02, the GUID, data offset, attributes) whose
// GUID names LZMA custom decompress; its data is an "LZMA alone" stream: 1 byte lc/lp/pb, 4 bytes
// dictionary size, 8 bytes uncompressed size (little-endian), then the raw LZMA stream.

import { DeltaError } from './errors.ts';
import type { LzmaEncoderSettings } from './seven-zip.ts';
import { putVarint, readVarint } from './varint.ts';

/** ee4e5898-3914-4259-9d6e-dc7bd79403cf in its on-disk (mixed-endian) byte order. */
const LZMA_CUSTOM_DECOMPRESS_GUID = Uint8Array.of(
  0x98,
  0x58,
  0x4e,
  0xee,
  0x14,
  0x39,
  0x59,
  0x42,
  0x9d,
  0x6e,
  0xdc,
  0x7b,
  0xd7,
  0x94,
  0x03,
  0xcf,
);
const SECTION_GUID_DEFINED = 0x02;
/** Common section header (4) + GUID (16) + data offset (2) + attributes (2). */
const GUID_SECTION_HEADER = 24;
export const LZMA_HEADER_LENGTH = 13;
/** lc < 9, lp < 5, pb < 5 packed as (pb * 5 + lp) * 9 + lc. */
const MAX_PROPS = 9 * 5 * 5;

/**
 * How a package's decoder rebuilds the new section. 1: recompress the new volume with 7-Zip's
 * encoder at the LZMA SDK defaults (level 5) EDK2 uses, which needs its match finder (about 80 MiB
 * for an 8 MiB volume). 2: replay the new stream's parse, carried after the volume in the nested
 * package (lzma-replay.ts): any encoder's stream, in the memory of the volumes.
 */
export const RECOMPRESS_7ZIP = 1;
export const REPLAY_PARSE = 2;
export type ProfileId = typeof RECOMPRESS_7ZIP | typeof REPLAY_PARSE;
const SEVEN_ZIP_SETTINGS = { fb: 32, mc: 32, matchFinder: 'bt4', algo: 1 } as const;

/** The LZMA stream of one section: where it lies in its image (13-byte header included). */
export interface SectionSpan {
  readonly offset: number;
  readonly length: number;
}

export interface LzmaHeader {
  readonly lc: number;
  readonly lp: number;
  readonly pb: number;
  readonly dictSize: number;
  readonly rawLength: number;
}

/** What a package says about the section it expanded: enough for the decoder to rebuild it. */
export type SectionDescriptor = SevenZipDescriptor | ReplayDescriptor;

interface DescriptorFields {
  readonly old: SectionSpan;
  readonly neu: SectionSpan;
  /** The new section's 13-byte LZMA header, written back verbatim. */
  readonly neuHeader: Uint8Array;
}

export interface SevenZipDescriptor extends DescriptorFields {
  readonly profile: typeof RECOMPRESS_7ZIP;
}

/** The expanded images hold each section's volume followed by its parse. */
export interface ReplayDescriptor extends DescriptorFields {
  readonly profile: typeof REPLAY_PARSE;
  readonly oldParseLength: number;
  readonly neuParseLength: number;
}

/** The largest well-formed LZMA GUID-defined section of `image`, or undefined. */
export function findLzmaSection(image: Uint8Array): SectionSpan | undefined {
  let best: SectionSpan | undefined;
  const first = LZMA_CUSTOM_DECOMPRESS_GUID[0]!;
  for (let at = image.indexOf(first, 4); at !== -1; at = image.indexOf(first, at + 1)) {
    const span = sectionAt(image, at - 4);
    if (span && (!best || span.length > best.length)) best = span;
  }
  return best;
}

function sectionAt(image: Uint8Array, start: number): SectionSpan | undefined {
  if (start + GUID_SECTION_HEADER > image.length || image[start + 3] !== SECTION_GUID_DEFINED) return undefined;
  if (!LZMA_CUSTOM_DECOMPRESS_GUID.every((b, i) => image[start + 4 + i] === b)) return undefined;
  const size = image[start]! | (image[start + 1]! << 8) | (image[start + 2]! << 16);
  const dataOffset = image[start + 20]! | (image[start + 21]! << 8);
  if (dataOffset < GUID_SECTION_HEADER || size < dataOffset + LZMA_HEADER_LENGTH || start + size > image.length) {
    return undefined;
  }
  const span = { offset: start + dataOffset, length: size - dataOffset };
  return readLzmaHeader(image.subarray(span.offset, span.offset + LZMA_HEADER_LENGTH)) ? span : undefined;
}

/** The 13-byte header decoded, or undefined when it is not a plausible one. */
export function readLzmaHeader(h: Uint8Array): LzmaHeader | undefined {
  if (h.length < LZMA_HEADER_LENGTH || h[0]! >= MAX_PROPS) return undefined;
  const view = new DataView(h.buffer, h.byteOffset, LZMA_HEADER_LENGTH);
  const rawLength = view.getBigUint64(5, true);
  if (rawLength > 0xffff_ffffn) return undefined;
  const props = h[0]!;
  return {
    lc: props % 9,
    lp: Math.floor(props / 9) % 5,
    pb: Math.floor(props / 45),
    dictSize: view.getUint32(1, true),
    rawLength: Number(rawLength),
  };
}

/** 7-Zip's settings for profile 1, with the stream's own properties and dictionary. */
export function sevenZipSettings(h: LzmaHeader): LzmaEncoderSettings {
  return { ...SEVEN_ZIP_SETTINGS, lc: h.lc, lp: h.lp, pb: h.pb, dictSize: h.dictSize };
}

/** `image` with the bytes of `span` replaced by `inner`. */
export function splice(image: Uint8Array, span: SectionSpan, inner: Uint8Array): Uint8Array {
  const out = new Uint8Array(image.length - span.length + inner.length);
  out.set(image.subarray(0, span.offset));
  out.set(inner, span.offset);
  out.set(image.subarray(span.offset + span.length), span.offset + inner.length);
  return out;
}

export function writeDescriptor(d: SectionDescriptor): Uint8Array {
  const out: number[] = [d.profile];
  const numbers = [d.old.offset, d.old.length, d.neu.offset, d.neu.length];
  if (d.profile === REPLAY_PARSE) numbers.push(d.oldParseLength, d.neuParseLength);
  for (const n of numbers) putVarint(out, n);
  out.push(...d.neuHeader);
  return Uint8Array.from(out);
}

export function readDescriptor(bytes: Uint8Array): SectionDescriptor {
  const profile = bytes[0];
  if (profile !== RECOMPRESS_7ZIP && profile !== REPLAY_PARSE) {
    throw new DeltaError('unsupported_version', `LZMA section profile ${String(profile)} is not supported`);
  }
  const cursor = { offset: 1 };
  const next = (): number => readVarint(bytes, cursor, 'section descriptor', 'corrupt');
  const old = { offset: next(), length: next() };
  const neu = { offset: next(), length: next() };
  const parseLengths = profile === REPLAY_PARSE ? { oldParseLength: next(), neuParseLength: next() } : undefined;
  const neuHeader = bytes.slice(cursor.offset);
  if (neuHeader.length !== LZMA_HEADER_LENGTH || !readLzmaHeader(neuHeader)) {
    throw new DeltaError('corrupt', 'section descriptor does not end with a 13-byte LZMA header');
  }
  if (neu.length < LZMA_HEADER_LENGTH) {
    throw new DeltaError('corrupt', `new LZMA section length ${neu.length} is below its header`);
  }
  const fields = { old, neu, neuHeader };
  return parseLengths ? { profile: REPLAY_PARSE, ...fields, ...parseLengths } : { profile: RECOMPRESS_7ZIP, ...fields };
}

/** What `ota-delta info` and callers deciding where to send a package learn from an lzma-section package. */
export interface SectionInfo {
  readonly profile: 'replay-parse' | '7zip-recompress';
  /** The section in the base and in the result (13-byte header included). */
  readonly base: SectionSpan;
  readonly result: SectionSpan;
  /** Bytes the result's section decompresses to. */
  readonly resultVolumeLength: number;
  /**
   * About what a decoder holds at its peak beyond the base, the package and the runtime: the base and
   * the result expanded (the base's volume taken as large as the result's) and the result; profile 1
   * adds 7-Zip's encoder (about ten bytes per byte of volume).
   */
  readonly decodeBytes: number;
}

/** The descriptor (`descriptorBytes`, the control stream) of a package whose result is `resultLength` bytes, summarised. */
export function sectionInfo(descriptorBytes: Uint8Array, resultLength: number): SectionInfo {
  const d = readDescriptor(descriptorBytes);
  const volume = readLzmaHeader(d.neuHeader)!.rawLength;
  const parses = d.profile === REPLAY_PARSE ? d.oldParseLength + d.neuParseLength : 0;
  const expandedResult = resultLength - d.neu.length + volume;
  const expandedPair = 2 * expandedResult + parses;
  return {
    profile: d.profile === REPLAY_PARSE ? 'replay-parse' : '7zip-recompress',
    base: d.old,
    result: d.neu,
    resultVolumeLength: volume,
    decodeBytes: expandedPair + resultLength + (d.profile === REPLAY_PARSE ? 0 : 10 * volume),
  };
}
