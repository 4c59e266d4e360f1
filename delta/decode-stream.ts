import { createHash } from 'node:crypto';
import { OpGuard } from './apply.ts';
import { decompress } from './brotli.ts';
import { checkResult, controlLimit, DEFAULT_MAX_RESULT, readRefMap } from './checks.ts';
import type { DecodeOptions } from './checks.ts';
import { OpReader } from './control.ts';
import { DeltaError } from './errors.ts';
import type { PackageHeader } from './format.ts';
import { readHeader } from './format.ts';
import { PackageFeed } from './package-feed.ts';
import type { PackageSource } from './package-feed.ts';
import { decodeSectionPackage } from './section-package.ts';
import { StreamReader } from './stream-reader.ts';
import { HOLD_BACK, TransformedImage, Untransform } from './transform.ts';
import { addWords } from './word-diff.ts';

const DEFAULT_OUTPUT_CHUNK = 64 * 1024;

export type { PackageSource } from './package-feed.ts';

/**
 * Rebuilds the result image from a package that arrives in chunks, yielding the result in order
 * in chunks of at most 64 KiB (opts.outputChunk), as soon as the bytes it needs have arrived: the control stream and
 * reference map whole, the diff and extra streams as far as they go (package-feed.ts). Memory: the
 * base, the compressed package and a constant (brotli windows, one output chunk); the result is
 * never held whole, except for an lzma-section package (its section is compressed again whole:
 * the base and result expanded, each with its volume and parse, after the whole package arrived). The output is
 * verified only when the generator completes: treat what arrived as unverified until then, and
 * discard it on an error.
 */
export async function* decodeStream(
  old: Uint8Array,
  pkg: PackageSource,
  opts: DecodeOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const feed = new PackageFeed(old, pkg, opts);
  try {
    const header = await feed.header;
    const hash = createHash('sha256');
    let produced = 0;
    const size = opts.outputChunk ?? DEFAULT_OUTPUT_CHUNK;
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`outputChunk: ${size} is not a positive integer`);
    const chunks = pickChunks(old, header, feed, { ...opts, outputChunk: size });
    const untransform = new Untransform(header.transform);
    /** Hashes `chunk` and yields it in pieces of at most `size` (the transform may add 3 bytes). */
    function* emit(chunk: Uint8Array): Generator<Uint8Array> {
      hash.update(chunk);
      produced += chunk.length;
      for (let at = 0; at < chunk.length; at += size) yield chunk.subarray(at, at + size);
    }
    // deltaChunks leaves HOLD_BACK free bytes before each chunk; fullChunks' chunks have none.
    const headroom = header.method === 'bsdiff-brotli' ? HOLD_BACK : 0;
    for await (const transformed of chunks) yield* emit(untransform.push(transformed, headroom));
    yield* emit(untransform.end());
    await feed.done;
    if (produced !== header.result.length) {
      throw new DeltaError(
        'corrupt',
        `package produced ${produced} bytes, the header declares ${header.result.length}`,
      );
    }
    checkResult(header, hash.digest('hex'));
  } catch (err) {
    // A stream cut short by a truncated package reads as corrupt brotli: report the package's own fault.
    throw feed.failure ?? err;
  } finally {
    feed.close();
  }
}

/** Convenience: decodeStream collected into one buffer. */
export async function decodeAsync(old: Uint8Array, pkg: PackageSource, opts: DecodeOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of decodeStream(old, pkg, opts)) parts.push(chunk);
  return Buffer.concat(parts);
}

type ChunkOptions = DecodeOptions & { readonly outputChunk: number };

function pickChunks(old: Uint8Array, header: PackageHeader, feed: PackageFeed, opts: ChunkOptions) {
  if (header.method === 'full-brotli') return fullChunks(header, feed, opts.outputChunk);
  if (header.method === 'bsdiff-brotli') return deltaChunks(old, header, feed, opts.outputChunk);
  return sectionChunks(old, header, feed, opts);
}

/** An lzma-section package's result, rebuilt whole (recompression needs the whole section). */
async function* sectionChunks(
  old: Uint8Array,
  header: PackageHeader,
  feed: PackageFeed,
  opts: ChunkOptions,
): AsyncGenerator<Uint8Array> {
  // Asked for in one chunk of the declared size, which arrives as one buffer (or, with a code
  // transform, a few pieces copied into one): 64 KiB chunks would leave the expanded image's size
  // in garbage chunks for the collector, and joining them would hold it twice.
  const decodeNested = async (base: Uint8Array, pkg: Uint8Array): Promise<Uint8Array> => {
    const length = readHeader(pkg).result.length;
    const pieces: Uint8Array[] = [];
    for await (const chunk of decodeStream(base, [pkg], { ...opts, outputChunk: Math.max(length, 1) })) {
      pieces.push(chunk);
    }
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  };
  const [control, extra] = await Promise.all([feed.whole('control'), feed.whole('extra')]);
  const maxExpanded = opts.maxResultLength ?? DEFAULT_MAX_RESULT;
  const image = await decodeSectionPackage(old, header, control, extra, decodeNested, maxExpanded);
  const size = opts.outputChunk;
  for (let at = 0; at < image.length; at += size) yield image.subarray(at, at + size);
}

async function* fullChunks(header: PackageHeader, feed: PackageFeed, size: number): AsyncGenerator<Uint8Array> {
  const image = new StreamReader(feed.decompressor('extra'), 'image');
  try {
    for (let produced = 0; produced < header.result.length;) {
      const chunk = (await image.take(Math.min(size, header.result.length - produced))).slice();
      produced += chunk.length;
      yield chunk;
    }
    await image.expectEnd();
  } finally {
    image.close();
  }
}

async function* deltaChunks(
  old: Uint8Array,
  header: PackageHeader,
  feed: PackageFeed,
  size: number,
): AsyncGenerator<Uint8Array> {
  const resultLength = header.result.length;
  // Control and map come first in the package: the decoder waits for them whole, the rest streams.
  const refMap = await feed.whole('refMap');
  const base = new TransformedImage(old, header.transform, readRefMap(refMap));
  const control = await feed.whole('control');
  const ops = new OpReader(decompress(control, controlLimit(resultLength), 'control'));
  const diffs = new StreamReader(feed.decompressor('diff'), 'diff');
  const extras = new StreamReader(feed.decompressor('extra'), 'extra');
  const guard = new OpGuard(base.length, resultLength);
  const word = header.diffWord ?? 1;
  let buf = withHeadroom(Math.min(size, resultLength));
  let fill = 0;
  let flushed = 0;
  /** The full output chunk, replaced by a fresh one; or undefined while the chunk has room. */
  const advance = (n: number): Uint8Array | undefined => {
    fill += n;
    if (fill < buf.length) return undefined;
    const full = buf;
    flushed += full.length;
    buf = withHeadroom(Math.min(size, resultLength - flushed));
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
