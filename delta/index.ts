/**
 * Delta packages for OTA images: a library of its own, because the backend makes packages and the
 * gateway and the ECU simulator both apply them, and an ECU knows nothing of campaigns or MQTT.
 * Pure code on byte arrays; it imports nothing but Node built-ins and 7z-wasm (the LZMA encoder the
 * lzma-section method's older profile needs), and callers do the file and network I/O. This file is
 * its whole public API.
 *
 * How a package is made: optionally a code transform (ARM64 / Thumb-2 call targets made absolute,
 * when that makes the package smaller), then bsdiff-style approximate matching of the new image
 * against a suffix array of the old one, giving a control stream (the ops), a reference map (how
 * call targets moved, learned from the matched calls; the old image's calls, ADRP pages and
 * unwind-table pointers are moved through it before the diff), a diff stream (new minus old
 * inside matches, in 1-, 2- or 4-byte words, whichever compresses best) and an extra stream
 * (literal bytes), each compressed by brotli; or the brotli-compressed full image when that is
 * smaller. A compact header (format version 4, layout in format.ts) names the base by length and
 * SHA-256 prefix and the result by length and full SHA-256, so a receiver refuses a package for
 * another base before it reads any payload and always verifies what it rebuilt.
 *
 * - `encode(old, neu, options?)` builds a package (method, brotli quality, diff word, transform, progress);
 *   `encodeAsync` also tries the lzma-section method: firmware whose LZMA section (EDK2) is
 *   delta'd decompressed, with the stream's parse, and compressed again bit-exactly by the decoder
 *   replaying the new parse (lzma-replay.ts), kept only when the replay reproduces the section.
 * - `decode(old, pkg)` rebuilds the image in one go; `decodeAsync` takes the package in chunks;
 *   `decodeStream` also yields the result in chunks, never holding it whole (verified at the end).
 * - `readPackageHeader(bytes)` reads the header alone, to check a package before fetching the rest;
 *   `sectionInfo(control, resultLength)` summarises an lzma-section package's descriptor (its
 *   control stream): profile, sections, and about the memory its decoder needs.
 * - `encodeInPlace` / `readInPlacePatch` / `rebuildSegment`: the in-place patch a single-bank ECU applies
 *   segment by segment in an order that never reads what it already rewrote (in-place-format.ts).
 * - Every refusal is a `DeltaError` whose `code` says why (base_mismatch, truncated, corrupt,
 *   result_mismatch, unsupported_version, too_large); the result's SHA-256 is always checked.
 *
 * Command line: `ota-delta encode|decode|info` (scripts/delta.ts). Sizes and speed beside bsdiff,
 * xdelta3 and zstd: `npm run bench -- delta`.
 */
export { encode } from './encode.ts';
export { encodeAsync } from './encode-async.ts';
export type { EncodeOptions, EncodeProgress } from './encode.ts';
export { decode } from './decode.ts';
export { decodeAsync, decodeStream } from './decode-stream.ts';
export type { PackageSource } from './decode-stream.ts';
export type { DecodeOptions } from './checks.ts';
export { DeltaError } from './errors.ts';
export type { DeltaErrorCode } from './errors.ts';
export { FORMAT_VERSION, MAX_HEADER_LENGTH, readHeader as readPackageHeader } from './format.ts';
export { sectionInfo } from './lzma-section.ts';
export type { SectionInfo } from './lzma-section.ts';
export type { BaseRef, DeltaMethod, ImageRef, PackageHeader, StreamLengths } from './format.ts';
export type { CodeTransform } from './transform.ts';
export type { DiffWord } from './word-diff.ts';
export { encodeInPlace } from './in-place-plan.ts';
export type { InPlaceOptions } from './in-place-plan.ts';
export { readInPlacePatch, segmentBounds } from './in-place-format.ts';
export type { InPlacePatch, InPlaceStep } from './in-place-format.ts';
export { applyInPlace, checkInPlaceOrder, rebuildSegment } from './in-place-apply.ts';
