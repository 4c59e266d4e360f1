// The lzma-section method: firmware shipped with an LZMA-compressed volume (EDK2) changes most of
// its compressed bytes for a small source change, so a byte-level delta of it is about as large
// as the compressed image. Instead the package carries a delta between the two images with that
// section expanded, and the decoder compresses the new section again, bit-exactly. The encoder
// makes profile 2: each section expands to its volume followed by its stream's parse, and the
// decoder replays the new parse (lzma-replay.ts); it is offered only when the replay reproduces
// the new section exactly. Profile 1 packages (made by earlier releases: the volume alone,
// recompressed by 7-Zip's encoder) are still decoded.

import type { EncodeOptions } from './encode.ts';
import { encode } from './encode.ts';
import { DeltaError } from './errors.ts';
import type { PackageHeader } from './format.ts';
import { readHeader, writeHeader } from './format.ts';
import { decompressRecording, replayLzma } from './lzma-replay.ts';
import type {
  ProfileId,
  ReplayDescriptor,
  SectionDescriptor,
  SectionSpan,
  SevenZipDescriptor,
} from './lzma-section.ts';
import {
  findLzmaSection,
  LZMA_HEADER_LENGTH,
  readDescriptor,
  readLzmaHeader,
  RECOMPRESS_7ZIP,
  REPLAY_PARSE,
  sevenZipSettings,
  splice,
  writeDescriptor,
} from './lzma-section.ts';
import { sha256Hex } from './digest.ts';
import type { LzmaEncoderSettings } from './seven-zip.ts';

export interface SectionPackage {
  /** Header, descriptor and nested package. */
  readonly parts: Uint8Array[];
  /**
   * Bytes of the new LZMA section between its common prefix and suffix with the old one. A plain
   * delta carries about this many literal bytes: from a change on, an LZMA stream depends on all the
   * range coder's state before it, so it matches nothing of the old image and brotli cannot shrink it.
   */
  readonly changedSectionBytes: number;
}

/** The two images with their sections expanded, and the descriptor that undoes it. */
interface Expansion {
  readonly old: Uint8Array;
  readonly neu: Uint8Array;
  readonly descriptor: SectionDescriptor;
}

/**
 * The lzma-section package for `old` -> `neu`, or undefined when either image has no LZMA section
 * or the new one cannot be reproduced. `profile` 1 exists for the decoder's compatibility tests.
 */
export async function encodeSectionPackage(
  old: Uint8Array,
  neu: Uint8Array,
  opts: EncodeOptions,
  profile: ProfileId = REPLAY_PARSE,
): Promise<SectionPackage | undefined> {
  const oldSpan = findLzmaSection(old);
  const neuSpan = findLzmaSection(neu);
  if (!oldSpan || !neuSpan) return undefined;
  const oldSection = sectionOf(old, oldSpan);
  const neuSection = sectionOf(neu, neuSpan);
  const o = unlessRefused(() => decompressRecording(oldSection));
  const n = unlessRefused(() => decompressRecording(neuSection));
  if (!o || !n) return undefined;
  const stream = neuSection.subarray(LZMA_HEADER_LENGTH);
  const fields = { old: oldSpan, neu: neuSpan, neuHeader: neuSection.slice(0, LZMA_HEADER_LENGTH) };
  let expansion: Expansion;
  if (profile === REPLAY_PARSE) {
    const again = unlessRefused(() => replayLzma(n.header, n.raw, n.parse, new Uint8Array(stream.length)));
    if (!again || !sameBytes(again, stream)) return undefined;
    expansion = {
      old: splice(old, oldSpan, Buffer.concat([o.raw, o.parse])),
      neu: splice(neu, neuSpan, Buffer.concat([n.raw, n.parse])),
      descriptor: { profile, ...fields, oldParseLength: o.parse.length, neuParseLength: n.parse.length },
    };
  } else {
    if (!sameBytes(await sevenZipEncode(n.raw, sevenZipSettings(n.header)), stream)) return undefined;
    expansion = {
      old: splice(old, oldSpan, o.raw),
      neu: splice(neu, neuSpan, n.raw),
      descriptor: { profile, ...fields },
    };
  }
  const descriptor = writeDescriptor(expansion.descriptor);
  const nested = encode(expansion.old, expansion.neu, opts);
  const head = writeHeader({
    method: 'lzma-section',
    diffWord: null,
    transform: 'none',
    base: { length: old.length, sha256: sha256Hex(old) },
    result: { length: neu.length, sha256: sha256Hex(neu) },
    streams: { control: descriptor.length, refMap: 0, diff: 0, extra: nested.length },
  });
  return { parts: [head, descriptor, nested], changedSectionBytes: changedBytes(oldSection, neuSection) };
}

/**
 * 7-Zip's LZMA encoder, loaded only for profile 1, so that a process importing the codec (the
 * gateway) does not load 7z-wasm until such a package arrives.
 */
async function sevenZipEncode(raw: Uint8Array, settings: LzmaEncoderSettings): Promise<Uint8Array> {
  const { lzmaEncode } = await import('./seven-zip.ts');
  return lzmaEncode(raw, settings);
}

/** `f()`, or undefined when it refuses its input with a DeltaError (not a stream the method can use). */
function unlessRefused<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof DeltaError) return undefined;
    throw err;
  }
}

function sectionOf(image: Uint8Array, span: SectionSpan): Uint8Array {
  return image.subarray(span.offset, span.offset + span.length);
}

/** The length of `neu` less its common prefix and suffix with `old`. */
function changedBytes(old: Uint8Array, neu: Uint8Array): number {
  const shorter = Math.min(old.length, neu.length);
  let prefix = 0;
  while (prefix < shorter && old[prefix] === neu[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && old[old.length - 1 - suffix] === neu[neu.length - 1 - suffix]) suffix++;
  return neu.length - prefix - suffix;
}

/**
 * Rebuilds the result of an lzma-section package whose body (descriptor and nested package) the
 * caller has collected; `decodeNested` decodes the nested package; the base expanded may not be
 * larger than `maxExpanded` (the decoder's result limit). The caller checks the SHA-256.
 */
export async function decodeSectionPackage(
  old: Uint8Array,
  header: PackageHeader,
  descriptorBytes: Uint8Array,
  nested: Uint8Array,
  decodeNested: (base: Uint8Array, pkg: Uint8Array) => Promise<Uint8Array>,
  maxExpanded: number,
): Promise<Uint8Array> {
  const d = readDescriptor(descriptorBytes);
  checkSpan(d.old, old.length, 'old');
  const oldSection = sectionOf(old, d.old);
  const oldHeader = readLzmaHeader(oldSection);
  if (!oldHeader) throw new DeltaError('corrupt', `base image has no LZMA header at offset ${d.old.offset}`);
  const parseLength = d.profile === REPLAY_PARSE ? d.oldParseLength : 0;
  const expandedLength = old.length - d.old.length + oldHeader.rawLength + parseLength;
  if (expandedLength > maxExpanded) {
    throw new DeltaError('too_large', `base expanded would be ${expandedLength} bytes; the limit is ${maxExpanded}`);
  }
  if (readHeader(nested).method === 'lzma-section')
    throw new DeltaError('corrupt', 'lzma-section package nests another');
  if (d.profile === RECOMPRESS_7ZIP) {
    const oldRaw = decompressRecording(oldSection).raw;
    return recompress(await decodeNested(splice(old, d.old, oldRaw), nested), d, header.result.length);
  }
  // The base expanded in place: its volume decompressed straight into it, then the parse.
  const rawEnd = d.old.offset + oldHeader.rawLength;
  const base = new Uint8Array(expandedLength);
  base.set(old.subarray(0, d.old.offset));
  const { parse } = decompressRecording(oldSection, base.subarray(d.old.offset, rawEnd));
  if (parse.length !== d.oldParseLength) {
    throw new DeltaError(
      'corrupt',
      `base LZMA section's parse is ${parse.length} bytes, the package says ${d.oldParseLength}`,
    );
  }
  base.set(parse, rawEnd);
  base.set(old.subarray(d.old.offset + d.old.length), rawEnd + d.oldParseLength);
  return replaySection(await decodeNested(base, nested), d, header.result.length);
}

/** The result image: `expanded` with its new volume and parse replaced by the replayed section. */
function replaySection(expanded: Uint8Array, d: ReplayDescriptor, resultLength: number): Uint8Array {
  const h = readLzmaHeader(d.neuHeader)!;
  const rawStart = d.neu.offset;
  const rawEnd = rawStart + h.rawLength;
  const parseEnd = rawEnd + d.neuParseLength;
  checkSpan({ offset: rawStart, length: parseEnd - rawStart }, expanded.length, 'new');
  if (expanded.length - (parseEnd - rawStart) + d.neu.length !== resultLength) {
    throw new DeltaError('corrupt', 'section descriptor does not add up to the declared result length');
  }
  const result = new Uint8Array(resultLength);
  result.set(expanded.subarray(0, rawStart));
  result.set(d.neuHeader, rawStart);
  const stream = result.subarray(rawStart + LZMA_HEADER_LENGTH, rawStart + d.neu.length);
  replayLzma(h, expanded.subarray(rawStart, rawEnd), expanded.subarray(rawEnd, parseEnd), stream);
  result.set(expanded.subarray(parseEnd), rawStart + d.neu.length);
  return result;
}

/** Profile 1's result: `expanded` with its decompressed section replaced by 7-Zip's recompression. */
async function recompress(expanded: Uint8Array, d: SevenZipDescriptor, resultLength: number): Promise<Uint8Array> {
  const h = readLzmaHeader(d.neuHeader)!;
  const rawSpan = { offset: d.neu.offset, length: h.rawLength };
  checkSpan(rawSpan, expanded.length, 'new');
  if (expanded.length - h.rawLength + d.neu.length !== resultLength) {
    throw new DeltaError('corrupt', 'section descriptor does not add up to the declared result length');
  }
  const raw = expanded.subarray(rawSpan.offset, rawSpan.offset + rawSpan.length);
  const stream = await sevenZipEncode(raw, sevenZipSettings(h));
  if (stream.length !== d.neu.length - LZMA_HEADER_LENGTH) {
    throw new DeltaError(
      'result_mismatch',
      `recompressed LZMA section is ${stream.length} bytes, the package declares ${d.neu.length - LZMA_HEADER_LENGTH}`,
    );
  }
  const section = new Uint8Array(d.neu.length);
  section.set(d.neuHeader);
  section.set(stream, LZMA_HEADER_LENGTH);
  return splice(expanded, rawSpan, section);
}

function checkSpan(span: SectionSpan, imageLength: number, which: string): void {
  if (span.offset + span.length > imageLength) {
    throw new DeltaError('corrupt', `${which} LZMA section ${span.offset}+${span.length} lies outside the image`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
