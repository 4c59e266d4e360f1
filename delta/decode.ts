import { sha256Hex } from './digest.ts';
import { OpGuard } from './apply.ts';
import { decompress } from './brotli.ts';
import { checkHeader, checkResult, controlLimit, readRefMap, splitStreams } from './checks.ts';
import type { DecodeOptions } from './checks.ts';
import { OpReader } from './control.ts';
import { DeltaError } from './errors.ts';
import { readHeader } from './format.ts';
import { removeTransform, TransformedImage } from './transform.ts';
import { addWords } from './word-diff.ts';

/** Rebuilds the result image in one go. Holds base, package, result and the decompressed streams. */
export function decode(old: Uint8Array, pkg: Uint8Array, opts: DecodeOptions = {}): Uint8Array {
  const header = readHeader(pkg);
  checkHeader(header, old, opts);
  if (pkg.length < header.packageLength) {
    throw new DeltaError('truncated', `package is ${pkg.length} bytes, its header declares ${header.packageLength}`);
  }
  if (pkg.length > header.packageLength) {
    throw new DeltaError('corrupt', `package has ${pkg.length - header.packageLength} bytes after its declared end`);
  }
  if (header.method === 'lzma-section') {
    throw new DeltaError(
      'unsupported_version',
      'an lzma-section package is decoded by decodeAsync or decodeStream only',
    );
  }
  const streams = splitStreams(header, pkg.subarray(header.headerLength));
  const { control, diff, extra } = streams;
  const resultLength = header.result.length;
  let out: Uint8Array;
  if (header.method === 'full-brotli') {
    out = decompress(extra, resultLength, 'image');
    if (out.length !== resultLength) {
      throw new DeltaError('corrupt', `image stream holds ${out.length} bytes, the header declares ${resultLength}`);
    }
  } else {
    const ops = new OpReader(decompress(control, controlLimit(resultLength), 'control'));
    const diffBytes = decompress(diff, resultLength, 'diff');
    const extraBytes = decompress(extra, resultLength, 'extra');
    out = new Uint8Array(resultLength);
    const base = new TransformedImage(old, header.transform, readRefMap(streams.refMap));
    const guard = new OpGuard(old.length, resultLength);
    const word = header.diffWord ?? 1;
    let d = 0;
    let e = 0;
    while (!ops.done) {
      const op = ops.next();
      const at = guard.written;
      const from = guard.admit(op);
      if (d + op.add > diffBytes.length) throw new DeltaError('corrupt', 'diff stream is shorter than the ops need');
      if (e + op.extra > extraBytes.length)
        throw new DeltaError('corrupt', 'extra stream is shorter than the ops need');
      addWords(out, at, base.read(from, op.add, at), 0, diffBytes, d, op.add, at, word, 0);
      out.set(extraBytes.subarray(e, e + op.extra), at + op.add);
      d += op.add;
      e += op.extra;
    }
    guard.finish();
    if (d !== diffBytes.length || e !== extraBytes.length) {
      throw new DeltaError('corrupt', 'diff or extra stream holds bytes no op uses');
    }
  }
  removeTransform(out, header.transform);
  checkResult(header, sha256Hex(out));
  return out;
}
