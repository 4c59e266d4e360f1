// The lzma-section method: firmware shipped with an LZMA-compressed volume (EDK2) changes most of
// its compressed bytes for a small source change, so a byte-level delta of it is about as large
// as the compressed image. Instead the package carries a delta between the two images with that
// section decompressed, and the decoder recompresses the new section with the encoder EDK2 uses.
// The encoder offers this only when its own recompression reproduces the new section exactly.

import type { EncodeOptions } from './encode.ts';
import { encode } from './encode.ts';
import { DeltaError } from './errors.ts';
import type { PackageHeader } from './format.ts';
import { readHeader, writeHeader } from './format.ts';
import type { SectionDescriptor, SectionSpan } from './lzma-section.ts';
import {
  encoderSettings,
  findLzmaSection,
  LZMA_HEADER_LENGTH,
  readDescriptor,
  readLzmaHeader,
  splice,
  writeDescriptor,
} from './lzma-section.ts';
import { lzmaDecode, lzmaEncode } from './seven-zip.ts';
import { sha256Hex } from './digest.ts';

const PROFILE = 1;

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

/**
 * The lzma-section package for `old` -> `neu`, or undefined when either image has no LZMA section
 * or the new one cannot be reproduced.
 */
export async function encodeSectionPackage(
  old: Uint8Array,
  neu: Uint8Array,
  opts: EncodeOptions,
): Promise<SectionPackage | undefined> {
  const oldSpan = findLzmaSection(old);
  const neuSpan = findLzmaSection(neu);
  if (!oldSpan || !neuSpan) return undefined;
  const neuSection = neu.subarray(neuSpan.offset, neuSpan.offset + neuSpan.length);
  const header = readLzmaHeader(neuSection)!;
  const [oldRaw, neuRaw] = await Promise.all([expand(old, oldSpan), expand(neu, neuSpan)]);
  if (!oldRaw || !neuRaw || neuRaw.length !== header.rawLength) return undefined;
  const again = await lzmaEncode(neuRaw, encoderSettings(PROFILE, header));
  if (!sameBytes(again, neuSection.subarray(LZMA_HEADER_LENGTH))) return undefined;
  const descriptor = writeDescriptor({
    profile: PROFILE,
    old: oldSpan,
    neu: neuSpan,
    neuHeader: neuSection.slice(0, LZMA_HEADER_LENGTH),
  });
  const nested = encode(splice(old, oldSpan, oldRaw), splice(neu, neuSpan, neuRaw), opts);
  const head = writeHeader({
    method: 'lzma-section',
    diffWord: null,
    transform: 'none',
    base: { length: old.length, sha256: sha256Hex(old) },
    result: { length: neu.length, sha256: sha256Hex(neu) },
    streams: { control: descriptor.length, refMap: 0, diff: 0, extra: nested.length },
  });
  const oldSection = old.subarray(oldSpan.offset, oldSpan.offset + oldSpan.length);
  return { parts: [head, descriptor, nested], changedSectionBytes: changedBytes(oldSection, neuSection) };
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

/** The section's content, or undefined when it does not decompress to its declared length. */
async function expand(image: Uint8Array, span: SectionSpan): Promise<Uint8Array | undefined> {
  const section = image.subarray(span.offset, span.offset + span.length);
  try {
    const raw = await lzmaDecode(section);
    return raw.length === readLzmaHeader(section)?.rawLength ? raw : undefined;
  } catch (err) {
    if (err instanceof DeltaError) return undefined;
    throw err;
  }
}

/**
 * Rebuilds the result of an lzma-section package whose body (descriptor and nested package) the
 * caller has collected; `decodeNested` decodes the nested package. The caller checks the SHA-256.
 */
export async function decodeSectionPackage(
  old: Uint8Array,
  header: PackageHeader,
  descriptorBytes: Uint8Array,
  nested: Uint8Array,
  decodeNested: (base: Uint8Array, pkg: Uint8Array) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const d = readDescriptor(descriptorBytes);
  checkSpan(d.old, old.length, 'old');
  const oldSection = old.subarray(d.old.offset, d.old.offset + d.old.length);
  const oldHeader = readLzmaHeader(oldSection);
  if (!oldHeader) throw new DeltaError('corrupt', `base image has no LZMA header at offset ${d.old.offset}`);
  const oldRaw = await lzmaDecode(oldSection);
  if (oldRaw.length !== oldHeader.rawLength) {
    throw new DeltaError(
      'corrupt',
      `base LZMA section holds ${oldRaw.length} bytes, its header says ${oldHeader.rawLength}`,
    );
  }
  const nestedHeader = readHeader(nested);
  if (nestedHeader.method === 'lzma-section') throw new DeltaError('corrupt', 'lzma-section package nests another');
  const expanded = await decodeNested(splice(old, d.old, oldRaw), nested);
  return recompress(expanded, d, header.result.length);
}

/** The result image: `expanded` with its decompressed section replaced by the recompressed one. */
async function recompress(expanded: Uint8Array, d: SectionDescriptor, resultLength: number): Promise<Uint8Array> {
  const h = readLzmaHeader(d.neuHeader)!;
  const rawSpan = { offset: d.neu.offset, length: h.rawLength };
  checkSpan(rawSpan, expanded.length, 'new');
  if (expanded.length - h.rawLength + d.neu.length !== resultLength) {
    throw new DeltaError('corrupt', 'section descriptor does not add up to the declared result length');
  }
  const raw = expanded.subarray(rawSpan.offset, rawSpan.offset + rawSpan.length);
  const stream = await lzmaEncode(raw, encoderSettings(d.profile, h));
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
