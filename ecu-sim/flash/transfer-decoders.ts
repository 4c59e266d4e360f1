// Compression methods of RequestDownload (dataFormatIdentifier high nibble), by the name the ECU declares in
// its flash layout: "none" (written as it arrives), "brotli" (one brotli stream of the region content) and
// "delta" (a delta/ package against the ECU's active image) and "delta-in-place" (an in-place patch a single-bank
// bootloader applies segment by segment, ecu/in-place-update.ts). A compressed stream is collected and
// decoded at RequestTransferExit, then programmed.
import { brotliDecompressSync } from 'node:zlib';
import { decode as decodeDeltaPackage } from '@ota/delta';

export type TransferEncoding = 'none' | 'brotli' | 'delta' | 'delta-in-place';
const ENCODINGS: readonly TransferEncoding[] = ['none', 'brotli', 'delta', 'delta-in-place'];

export class TransferDecodeError extends Error {
  override readonly name = 'TransferDecodeError';
}

export function transferEncodingOf(methodName: string): TransferEncoding | null {
  return ENCODINGS.find((e) => e === methodName) ?? null;
}

/** Decodes a collected stream into exactly `size` bytes; `base` is the delta base (the active image). */
export function decodeTransfer(
  encoding: 'brotli' | 'delta',
  stream: Uint8Array,
  size: number,
  base: Uint8Array,
): Uint8Array {
  let out: Uint8Array;
  try {
    out =
      encoding === 'brotli'
        ? new Uint8Array(brotliDecompressSync(stream, { maxOutputLength: size + 1 }))
        : decodeDeltaPackage(base, stream, { maxResultLength: size });
  } catch (err) {
    throw new TransferDecodeError(`${encoding} stream does not decode: ${(err as Error).message}`, { cause: err });
  }
  if (out.length !== size) {
    throw new TransferDecodeError(
      `${encoding} stream decodes to ${out.length} bytes, RequestDownload announced ${size}`,
    );
  }
  return out;
}
