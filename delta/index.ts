// Delta packages for OTA images: bsdiff-style approximate matching over a suffix array, with the
// control, diff and extra streams each compressed by brotli; or the compressed full image when a
// delta does not pay. Pure code: callers do the file and network I/O.
export { encode } from './encode.ts';
export type { EncodeOptions, EncodeProgress } from './encode.ts';
export { decode } from './decode.ts';
export { decodeAsync, decodeStream } from './decode-stream.ts';
export type { PackageSource } from './decode-stream.ts';
export type { DecodeOptions } from './checks.ts';
export { DeltaError } from './errors.ts';
export type { DeltaErrorCode } from './errors.ts';
export { FORMAT_VERSION, HEADER_LENGTH, readHeader as readPackageHeader } from './format.ts';
export type { DeltaMethod, ImageRef, PackageHeader, StreamLengths } from './format.ts';
export type { DiffWord } from './word-diff.ts';
