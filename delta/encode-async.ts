// The encoder with the transforms that need asynchronous work: today the lzma-section method
// (section-package.ts), tried beside the synchronous encoder's package and kept when smaller.

import { encode } from './encode.ts';
import type { EncodeOptions } from './encode.ts';
import { encodeSectionPackage } from './section-package.ts';

/**
 * Like `encode`, and with method 'auto' (the default) also tries an image's LZMA section
 * decompressed (recompressed bit-exactly by the decoder). Decode such a package with
 * `decodeAsync` or `decodeStream`.
 */
export async function encodeAsync(old: Uint8Array, neu: Uint8Array, opts: EncodeOptions = {}): Promise<Uint8Array> {
  const plain = encode(old, neu, opts);
  if ((opts.method ?? 'auto') !== 'auto') return plain;
  const section = await encodeSectionPackage(old, neu, opts);
  if (!section) return plain;
  const length = section.reduce((n, p) => n + p.length, 0);
  return length < plain.length ? Buffer.concat(section) : plain;
}
