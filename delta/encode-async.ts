// The encoder with the transforms that need asynchronous work: today the lzma-section method
// (section-package.ts). It is tried first, and the synchronous encoder's plain package (the
// costly part: matching and brotli on the whole image) is made only when it could be smaller.

import { encode } from './encode.ts';
import type { EncodeOptions } from './encode.ts';
import { encodeSectionPackage } from './section-package.ts';

/**
 * A plain package carries about the section's changed bytes as literals (see
 * SectionPackage.changedSectionBytes); a section package under this share of them wins without
 * the plain one being made. The share leaves room for the short copies a matcher finds by chance
 * in LZMA output. Above it both are made and the smaller kept: the section can lose when its
 * change is small (sections equal or nearly: the nested package then costs what the plain one
 * does, plus a header and descriptor) or when the content changed wholesale (brotli on the new
 * content then costs more than the LZMA stream the plain package carries).
 */
const PLAIN_FLOOR_SHARE = 0.5;

/**
 * Like `encode`, and with method 'auto' (the default) also tries an image's LZMA section
 * decompressed (recompressed bit-exactly by the decoder). Decode such a package with
 * `decodeAsync` or `decodeStream`.
 */
export async function encodeAsync(old: Uint8Array, neu: Uint8Array, opts: EncodeOptions = {}): Promise<Uint8Array> {
  if ((opts.method ?? 'auto') !== 'auto') return encode(old, neu, opts);
  const section = await encodeSectionPackage(old, neu, opts);
  if (!section) return encode(old, neu, opts);
  const length = section.parts.reduce((n, p) => n + p.length, 0);
  if (length <= section.changedSectionBytes * PLAIN_FLOOR_SHARE) return Buffer.concat(section.parts);
  const plain = encode(old, neu, opts);
  return length < plain.length ? Buffer.concat(section.parts) : plain;
}
