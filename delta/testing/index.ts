// Helpers shared by the codec's tests.
import { DeltaError } from '../errors.ts';
import type { DeltaErrorCode } from '../errors.ts';
import { lzmaEncode } from '../seven-zip.ts';
import type { LzmaEncoderSettings } from '../seven-zip.ts';

/** The DeltaError code that `p` fails with, or 'ok'; any other error is rethrown. */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<DeltaErrorCode | 'ok'> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (err) {
    if (err instanceof DeltaError) return err.code;
    throw err;
  }
}

const LZMA_GUID = [0x98, 0x58, 0x4e, 0xee, 0x14, 0x39, 0x59, 0x42, 0x9d, 0x6e, 0xdc, 0x7b, 0xd7, 0x94, 0x03, 0xcf];
/** The settings EDK2's LzmaCompress uses. */
export const EDK2_LZMA: LzmaEncoderSettings = {
  lc: 3,
  lp: 0,
  pb: 2,
  dictSize: 1 << 24,
  fb: 32,
  mc: 32,
  matchFinder: 'bt4',
  algo: 1,
};

/** Compressible content: random bytes, then copies of earlier runs (8..200 bytes) and literals. */
export function volume(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  const next = (n: number): number => {
    x = (x * 1103515245 + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  let at = 0;
  for (; at < 4096; at++) out[at] = next(256);
  while (at < size) {
    const n = Math.min(8 + next(193), size - at);
    const from = next(at - n);
    out.copyWithin(at, from, from + n);
    at += n;
    if (at < size) out[at++] = next(256);
  }
  return out;
}

/** An "LZMA alone" section: the 13-byte header (properties, dictionary, `rawLength`), then `stream`. */
export function lzmaAlone(
  stream: Uint8Array,
  p: { lc: number; lp: number; pb: number; dictSize: number },
  rawLength: number,
): Uint8Array {
  const lzma = new Uint8Array(13 + stream.length);
  const view = new DataView(lzma.buffer);
  lzma[0] = (p.pb * 5 + p.lp) * 9 + p.lc;
  view.setUint32(1, p.dictSize, true);
  view.setBigUint64(5, BigInt(rawLength), true);
  lzma.set(stream, 13);
  return lzma;
}

/**
 * A firmware image: padding, one LZMA GUID-defined section of `raw`, padding. `trailer` is put
 * after the stream inside the section (bytes no decoder reads).
 */
export async function firmware(
  raw: Uint8Array,
  settings: LzmaEncoderSettings,
  trailer = new Uint8Array(0),
): Promise<Uint8Array> {
  const lzma = lzmaAlone(Buffer.concat([await lzmaEncode(raw, settings), trailer]), settings, raw.length);
  const size = 24 + lzma.length;
  const header = [size & 0xff, (size >> 8) & 0xff, size >> 16, 0x02, ...LZMA_GUID, 24, 0, 1, 0];
  return Buffer.concat([new Uint8Array(4096).fill(0xff), Uint8Array.from(header), lzma, new Uint8Array(1000)]);
}
