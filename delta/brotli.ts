// Brotli settings for the package streams: highest quality and a window as large as the stream but
// at most 1 MiB. The window is what a decoder must hold per stream; on the corpus a larger one
// gains at most 0.1 %, so 1 MiB keeps the gateway's decode memory at base + package + ~3 MiB.

import { constants as bufferConstants } from 'node:buffer';
import { brotliCompressSync, brotliDecompressSync, constants, createBrotliDecompress } from 'node:zlib';
import type { BrotliDecompress } from 'node:zlib';
import { DeltaError } from './errors.ts';

const MAX_WINDOW_BITS = 20;

export function compress(bytes: Uint8Array, quality: number): Uint8Array {
  const lgwin = Math.max(
    constants.BROTLI_MIN_WINDOW_BITS,
    Math.min(MAX_WINDOW_BITS, Math.ceil(Math.log2(bytes.length + 1))),
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
