import { sha256Hex } from './digest.ts';
import { compress, IMAGE_WINDOW_BITS } from './brotli.ts';
import { encodeOps } from './control.ts';
import { DeltaError } from './errors.ts';
import { MAX_IMAGE_LENGTH, writeHeader } from './format.ts';
import type { DeltaMethod, ImageRef } from './format.ts';
import { diffImages } from './match.ts';
import { encodeRefMap, isEmptyMap, learnRefMap } from './ref-map.ts';
import { applyTransform, fieldReader, TransformedImage, transformFor } from './transform.ts';
import type { CodeTransform } from './transform.ts';
import { DIFF_WORDS, subtractWords } from './word-diff.ts';
import type { BaseReader, DiffWord } from './word-diff.ts';

export interface EncodeProgress {
  readonly phase: 'match' | 'compress';
  readonly done: number;
  readonly total: number;
}

export interface EncodeOptions {
  /**
   * 'auto' (default) makes a delta and falls back to the compressed full image when that is smaller
   * (encodeAsync also tries the lzma-section method, which it alone makes).
   */
  readonly method?: 'auto' | Exclude<DeltaMethod, 'lzma-section'>;
  /** Brotli quality 0..11 (default 11). Lower is faster and larger. */
  readonly quality?: number;
  /** Diff word size; by default the one whose diff stream compresses best. */
  readonly diffWord?: DiffWord;
  /**
   * Code transform; 'auto' (default) tries none and the one the ELF header's machine suggests
   * (see transform.ts) and keeps the smaller package.
   */
  readonly transform?: 'auto' | CodeTransform;
  readonly onProgress?: (progress: EncodeProgress) => void;
}

/**
 * Brotli at its top quality rarely gains more than ~10 % over quality 9 on binaries, so the slow
 * full-image attempt is skipped when quality 9 is this much larger than the delta.
 */
const FULL_IMAGE_MARGIN = 0.8;
/** Diff word candidates are ranked at this quality: fast, and on the corpus it ranks them as 11 does. */
const PROBE_QUALITY = 5;

interface Refs {
  readonly base: ImageRef;
  readonly result: ImageRef;
}

/** The settings of one encoding attempt: same images and quality, one code transform. */
interface Attempt {
  readonly refs: Refs;
  readonly quality: number;
  readonly opts: EncodeOptions;
  readonly transform: CodeTransform;
}

/** Builds a package that turns `old` into `neu`. */
export function encode(old: Uint8Array, neu: Uint8Array, opts: EncodeOptions = {}): Uint8Array {
  const method = opts.method ?? 'auto';
  const quality = opts.quality ?? 11;
  if (!Number.isInteger(quality) || quality < 0 || quality > 11) {
    throw new RangeError(`brotli quality must be an integer 0..11, got ${quality}`);
  }
  for (const [what, img] of [
    ['base', old],
    ['result', neu],
  ] as const) {
    if (img.length > MAX_IMAGE_LENGTH) {
      throw new DeltaError('too_large', `${what} image is ${img.length} bytes; the format allows ${MAX_IMAGE_LENGTH}`);
    }
  }
  const refs = { base: imageRef(old), result: imageRef(neu) };
  const transforms = transformsToTry(neu, opts.transform);
  const attempts = transforms.map((transform): Attempt => ({ refs, quality, opts, transform }));
  const full = (): Uint8Array[] => smallest(attempts.map((a) => encodeFull(neu, a)));
  if (method === 'full-brotli') return concat(full());

  const delta = smallest(attempts.map((a) => encodeDelta(old, neu, a)));
  if (method === 'bsdiff-brotli') return concat(delta);
  const probe = compress(neu, Math.min(quality, 9), IMAGE_WINDOW_BITS);
  if (probe.length * FULL_IMAGE_MARGIN >= payloadLength(delta)) return concat(delta);
  return concat(smallest([delta, full()]));
}

function transformsToTry(neu: Uint8Array, choice: EncodeOptions['transform'] = 'auto'): CodeTransform[] {
  if (choice !== 'auto') return [choice];
  const suggested = transformFor(neu);
  return suggested === 'none' ? ['none'] : ['none', suggested];
}

/** Header and streams of a bsdiff-brotli package. */
function encodeDelta(old: Uint8Array, neu: Uint8Array, { refs, quality, opts, transform }: Attempt): Uint8Array[] {
  const matchBase = applyTransform(old, transform);
  const target = applyTransform(neu, transform);
  const script = diffImages(matchBase, target, (done, total) => opts.onProgress?.({ phase: 'match', done, total }));
  const map = transform === 'none' ? undefined : learnRefMap(matchBase, target, script.ops, fieldReader(transform));
  const useMap = map !== undefined && !isEmptyMap(map);
  const reader = new TransformedImage(old, transform, useMap ? map : undefined);
  const base: BaseReader = (from, n, at) => reader.read(from, n, at);
  const words = opts.diffWord ? [opts.diffWord] : DIFF_WORDS;
  const candidates = words.map((word) => {
    const bytes = subtractWords(base, target, script.ops, word);
    return { word, bytes, probe: words.length > 1 ? compress(bytes, Math.min(quality, PROBE_QUALITY)).length : 0 };
  });
  const best = candidates.reduce((a, b) => (b.probe < a.probe ? b : a));
  const streams = [encodeOps(script.ops), best.bytes, script.extra];
  const [control, diff, extra] = streams.map((s, i) => {
    opts.onProgress?.({ phase: 'compress', done: i, total: streams.length });
    return compress(s, quality);
  }) as [Uint8Array, Uint8Array, Uint8Array];
  opts.onProgress?.({ phase: 'compress', done: streams.length, total: streams.length });
  const refMap = useMap ? compress(encodeRefMap(map), quality) : new Uint8Array(0);
  const streamLengths = { control: control.length, refMap: refMap.length, diff: diff.length, extra: extra.length };
  const header = writeHeader({
    method: 'bsdiff-brotli',
    diffWord: best.word,
    transform,
    ...refs,
    streams: streamLengths,
  });
  return [header, control, refMap, diff, extra];
}

/** Header and stream of a full-brotli package. */
function encodeFull(neu: Uint8Array, { refs, quality, opts, transform }: Attempt): Uint8Array[] {
  opts.onProgress?.({ phase: 'compress', done: 0, total: 1 });
  const image = compress(applyTransform(neu, transform), quality, IMAGE_WINDOW_BITS);
  opts.onProgress?.({ phase: 'compress', done: 1, total: 1 });
  const streams = { control: 0, refMap: 0, diff: 0, extra: image.length };
  return [writeHeader({ method: 'full-brotli', diffWord: null, transform, ...refs, streams }), image];
}

function payloadLength(parts: Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.length, 0);
}

function smallest(packages: Uint8Array[][]): Uint8Array[] {
  return packages.reduce((a, b) => (payloadLength(b) < payloadLength(a) ? b : a));
}

function imageRef(img: Uint8Array): ImageRef {
  return { length: img.length, sha256: sha256Hex(img) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
