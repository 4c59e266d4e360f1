// Brotli settings for the package streams: highest quality and a window as large as the stream but
// at most 1 MiB for the three delta streams. The window is what a decoder must hold per stream; on
// the corpus a larger one gains at most 0.1 % there, so 1 MiB keeps the gateway's decode memory at
// base + package + ~3 MiB. A full image is one stream and gains up to 1 % from a window as large
// as itself (up to brotli's 16 MiB), which costs the decoder less than the image it replaces.

import { constants as bufferConstants } from 'node:buffer';
import { brotliCompressSync, brotliDecompressSync, constants, createBrotliDecompress } from 'node:zlib';
import type { BrotliDecompress } from 'node:zlib';
import { DeltaError } from './errors.ts';

/** Window of a delta stream: 1 MiB. */
export const STREAM_WINDOW_BITS = 20;
/** Window of a full image: brotli's largest, 16 MiB (always cut to the image's size). */
export const IMAGE_WINDOW_BITS = constants.BROTLI_MAX_WINDOW_BITS;

export function compress(bytes: Uint8Array, quality: number, maxWindowBits = STREAM_WINDOW_BITS): Uint8Array {
  const lgwin = Math.max(
    constants.BROTLI_MIN_WINDOW_BITS,
    Math.min(maxWindowBits, Math.ceil(Math.log2(bytes.length + 1))),
  );
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_LGWIN]: lgwin,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/** Decompresses a whole stream, refusing output beyond `maxLength` bytes. */
export function decompress(bytes: Uint8Array, maxLength: number, what: string): Uint8Array {
  if (bytes.length === 0) throw new DeltaError('corrupt', `${what} stream is empty`);
  try {
    return brotliDecompressSync(bytes, {
      maxOutputLength: Math.min(Math.max(1, maxLength), bufferConstants.MAX_LENGTH),
    });
  } catch (err) {
    throw new DeltaError('corrupt', `${what} stream does not decompress within ${maxLength} bytes`, { cause: err });
  }
}

/** A streaming decompressor whose output is read chunk by chunk (bounded memory). */
export function decompressor(bytes: Uint8Array): BrotliDecompress {
  const z = createBrotliDecompress({ chunkSize: 64 * 1024 });
  z.end(bytes);
  return z;
}
