import { createHash } from 'node:crypto';
import { OpGuard } from './apply.ts';
import { decompress, decompressor } from './brotli.ts';
import { checkHeader, checkResult, controlLimit, readRefMap, splitStreams } from './checks.ts';
import type { DecodeOptions, Streams } from './checks.ts';
import { OpReader } from './control.ts';
import { DeltaError } from './errors.ts';
import { MAX_HEADER_LENGTH, readHeader } from './format.ts';
import type { PackageHeader } from './format.ts';
import { decodeSectionPackage } from './section-package.ts';
import { StreamReader } from './stream-reader.ts';
import { HOLD_BACK, TransformedImage, Untransform } from './transform.ts';
import { addWords } from './word-diff.ts';

const OUTPUT_CHUNK = 64 * 1024;

export type PackageSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Rebuilds the result image from a package that arrives in chunks, yielding the result in order
 * in chunks of at most 64 KiB. Memory: the base, the compressed package and a constant (brotli
 * windows, one output chunk); the result is never held whole, except for an lzma-section package
 * (its section is recompressed whole: the base and result expanded plus the LZMA encoder). The output is verified only when
 * the generator completes: treat what arrived as unverified until then, and discard it on an error.
 */
export async function* decodeStream(
  old: Uint8Array,
  pkg: PackageSource,
  opts: DecodeOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const { header, body } = await receive(old, pkg, opts);
  const streams = splitStreams(header, body);
  const hash = createHash('sha256');
  let produced = 0;
  const chunks = pickChunks(old, header, streams, opts);
  const untransform = new Untransform(header.transform);
  /** Hashes `chunk` and yields it in pieces of at most OUTPUT_CHUNK (the transform may add 3 bytes). */
  function* emit(chunk: Uint8Array): Generator<Uint8Array> {
    hash.update(chunk);
    produced += chunk.length;
    for (let at = 0; at < chunk.length; at += OUTPUT_CHUNK) yield chunk.subarray(at, at + OUTPUT_CHUNK);
  }
  // deltaChunks leaves HOLD_BACK free bytes before each chunk; fullChunks' chunks have none.
  const headroom = header.method === 'bsdiff-brotli' ? HOLD_BACK : 0;
  for await (const transformed of chunks) yield* emit(untransform.push(transformed, headroom));
  yield* emit(untransform.end());
  if (produced !== header.result.length) {
    throw new DeltaError('corrupt', `package produced ${produced} bytes, the header declares ${header.result.length}`);
  }
  checkResult(header, hash.digest('hex'));
}

/** Convenience: decodeStream collected into one buffer. */
export async function decodeAsync(old: Uint8Array, pkg: PackageSource, opts: DecodeOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of decodeStream(old, pkg, opts)) parts.push(chunk);
  return Buffer.concat(parts);
}

function pickChunks(old: Uint8Array, header: PackageHeader, streams: Streams, opts: DecodeOptions) {
  if (header.method === 'full-brotli') return fullChunks(header, streams);
  if (header.method === 'bsdiff-brotli') return deltaChunks(old, header, streams);
  return sectionChunks(old, header, streams, opts);
}

/** An lzma-section package's result, rebuilt whole (recompression needs the whole section). */
async function* sectionChunks(
  old: Uint8Array,
  header: PackageHeader,
  streams: Streams,
  opts: DecodeOptions,
): AsyncGenerator<Uint8Array> {
  const decodeNested = (base: Uint8Array, pkg: Uint8Array) => decodeAsync(base, [pkg], opts);
  const image = await decodeSectionPackage(old, header, streams.control, streams.extra, decodeNested);
  for (let at = 0; at < image.length; at += OUTPUT_CHUNK) yield image.subarray(at, at + OUTPUT_CHUNK);
}

async function* fullChunks(header: PackageHeader, streams: Streams): AsyncGenerator<Uint8Array> {
  const image = new StreamReader(decompressor(streams.extra), 'image');
  try {
    for (let produced = 0; produced < header.result.length;) {
      const chunk = (await image.take(Math.min(OUTPUT_CHUNK, header.result.length - produced))).slice();
      produced += chunk.length;
      yield chunk;
    }
    await image.expectEnd();
  } finally {
    image.close();
  }
}

async function* deltaChunks(old: Uint8Array, header: PackageHeader, streams: Streams): AsyncGenerator<Uint8Array> {
  const resultLength = header.result.length;
  const base = new TransformedImage(old, header.transform, readRefMap(streams));
  const ops = new OpReader(decompress(streams.control, controlLimit(resultLength), 'control'));
  const diffs = new StreamReader(decompressor(streams.diff), 'diff');
  const extras = new StreamReader(decompressor(streams.extra), 'extra');
  const guard = new OpGuard(base.length, resultLength);
  const word = header.diffWord ?? 1;
  let buf = withHeadroom(Math.min(OUTPUT_CHUNK, resultLength));
  let fill = 0;
  let flushed = 0;
  /** The full output chunk, replaced by a fresh one; or undefined while the chunk has room. */
  const advance = (n: number): Uint8Array | undefined => {
    fill += n;
    if (fill < buf.length) return undefined;
    const full = buf;
    flushed += full.length;
    buf = withHeadroom(Math.min(OUTPUT_CHUNK, resultLength - flushed));
    fill = 0;
    return full;
  };
  try {
    while (!ops.done) {
      const op = ops.next();
      let at = guard.written;
      let from = guard.admit(op);
      let carry = 0;
      for (let left = op.add; left > 0;) {
        const d = await diffs.take(Math.min(left, buf.length - fill));
        carry = addWords(buf, fill, base.read(from, d.length, at), 0, d, 0, d.length, at, word, carry);
        at += d.length;
        from += d.length;
        left -= d.length;
        const full = advance(d.length);
        if (full) yield full;
      }
      for (let left = op.extra; left > 0;) {
        const x = await extras.take(Math.min(left, buf.length - fill));
        buf.set(x, fill);
        left -= x.length;
        const full = advance(x.length);
        if (full) yield full;
      }
    }
    guard.finish();
    await diffs.expectEnd();
    await extras.expectEnd();
  } finally {
    diffs.close();
    extras.close();
  }
}

/** A fresh output chunk with HOLD_BACK unused bytes before it, for Untransform's held-back bytes. */
function withHeadroom(n: number): Uint8Array {
  return new Uint8Array(HOLD_BACK + n).subarray(HOLD_BACK);
}

/** Collects header and body, refusing a wrong base before the body is buffered. */
async function receive(
  old: Uint8Array,
  pkg: PackageSource,
  opts: DecodeOptions,
): Promise<{ header: PackageHeader; body: Uint8Array }> {
  let head = new Uint8Array(0);
  let header: PackageHeader | undefined;
  const parts: Uint8Array[] = [];
  let bodyLength = 0;
  for await (const chunk of pkg) {
    let rest = chunk;
    if (!header) {
      head = Buffer.concat([head, chunk]);
      header = headerSoFar(head);
      if (!header) continue;
      checkHeader(header, old, opts);
      rest = head.subarray(header.headerLength);
    }
    if (bodyLength + rest.length > header.packageLength - header.headerLength) {
      throw new DeltaError('corrupt', `package continues past its declared length of ${header.packageLength} bytes`);
    }
    if (rest.length > 0) {
      parts.push(rest.slice());
      bodyLength += rest.length;
    }
  }
  // A package cut inside its header: reports a foreign or unsupported one as such, else as truncated.
  header ??= readHeader(head);
  if (header.headerLength + bodyLength < header.packageLength) {
    throw new DeltaError(
      'truncated',
      `package is ${header.headerLength + bodyLength} bytes, its header declares ${header.packageLength}`,
    );
  }
  return { header, body: Buffer.concat(parts) };
}

/** The header, or undefined while `head` may still be too short to hold it. */
function headerSoFar(head: Uint8Array): PackageHeader | undefined {
  try {
    return readHeader(head);
  } catch (err) {
    if (err instanceof DeltaError && err.code === 'truncated' && head.length < MAX_HEADER_LENGTH) return undefined;
    throw err;
  }
}
