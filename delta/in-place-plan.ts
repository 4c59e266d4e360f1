// Builds an in-place patch (in-place-format.ts): which old segments each changed target segment is made from
// (the bsdiff-style match of the whole images, match.ts), an order in which every segment is rewritten only
// after all segments that read it (a cycle is broken where it loses the fewest matched bytes), and per step an
// ordinary delta package against the old segments still unwritten at that point.
import { sha256Hex } from './digest.ts';
import { encode } from './encode.ts';
import { segmentBounds, writeInPlacePatch, type InPlaceStep } from './in-place-format.ts';
import { diffImages } from './match.ts';

export interface InPlaceOptions {
  /** Bytes per segment: a whole number of the ECU's flash sectors (the scratch area holds one segment). */
  readonly segmentSize: number;
  /** Brotli quality of each step's package (default 9). */
  readonly quality?: number;
}

/** A segment read for fewer matched bytes than this is not worth ordering around. */
const MIN_DEPENDENCY_BYTES = 32;

/** Per changed target segment: old segment -> matched bytes it reads from there. */
type Dependencies = Map<number, Map<number, number>>;

function sha256(bytes: Uint8Array): Uint8Array {
  return Buffer.from(sha256Hex(bytes), 'hex');
}

function changedSegments(old: Uint8Array, neu: Uint8Array, size: number): number[] {
  const out: number[] = [];
  for (let start = 0, i = 0; start < neu.length; start += size, i++) {
    const end = Math.min(start + size, neu.length);
    if (Buffer.compare(old.subarray(start, end), neu.subarray(start, end)) !== 0) out.push(i);
  }
  return out;
}

/** Walks the match script and counts, per target segment, the bytes copied from each old segment. */
function dependencies(old: Uint8Array, neu: Uint8Array, size: number, changed: readonly number[]): Dependencies {
  const deps: Dependencies = new Map(changed.map((i) => [i, new Map<number, number>()]));
  let newPos = 0;
  let oldPos = 0;
  for (const op of diffImages(old, neu).ops) {
    let from = oldPos + op.seek;
    let to = newPos;
    for (let left = op.add; left > 0;) {
      const n = Math.min(left, size - (to % size), size - (from % size));
      const reads = deps.get(Math.floor(to / size));
      const source = Math.floor(from / size);
      if (reads) reads.set(source, (reads.get(source) ?? 0) + n);
      from += n;
      to += n;
      left -= n;
    }
    oldPos = oldPos + op.seek + op.add;
    newPos += op.add + op.extra;
  }
  for (const reads of deps.values()) for (const [s, n] of reads) if (n < MIN_DEPENDENCY_BYTES) reads.delete(s);
  return deps;
}

/**
 * The rewrite order: a segment goes once no remaining segment reads it; when every remaining one is still read
 * (a cycle), the one whose early rewrite costs its readers the fewest matched bytes goes.
 */
function rewriteOrder(deps: Dependencies): number[] {
  const remaining = new Set(deps.keys());
  const order: number[] = [];
  const lostBytes = (j: number): number => {
    let lost = 0;
    for (const i of remaining) if (i !== j) lost += deps.get(i)?.get(j) ?? 0;
    return lost;
  };
  while (remaining.size > 0) {
    let best = -1;
    let bestLoss = Infinity;
    for (const j of remaining) {
      const loss = lostBytes(j);
      if (loss < bestLoss || (loss === bestLoss && j < best)) [best, bestLoss] = [j, loss];
    }
    order.push(best);
    remaining.delete(best);
  }
  return order;
}

/** Builds the in-place patch that turns `old` into `neu` (same length) inside the memory holding `old`. */
export function encodeInPlace(old: Uint8Array, neu: Uint8Array, options: InPlaceOptions): Uint8Array {
  const { segmentSize } = options;
  if (old.length !== neu.length) throw new RangeError('an in-place patch needs old and new of the same length');
  if (!Number.isInteger(segmentSize) || segmentSize <= 0) throw new RangeError('segmentSize must be positive');
  const shape = { segmentSize, length: neu.length };
  const changed = changedSegments(old, neu, segmentSize);
  const deps = dependencies(old, neu, segmentSize, changed);
  const written = new Set<number>();
  const slice = (img: Uint8Array, i: number) => img.subarray(...segmentBounds(shape, i));
  const steps = rewriteOrder(deps).map((segment): InPlaceStep => {
    const wanted = new Set([segment, ...(deps.get(segment)?.keys() ?? [])]);
    const sources = [...wanted].filter((s) => !written.has(s)).sort((a, b) => a - b);
    written.add(segment);
    const base = Buffer.concat(sources.map((s) => slice(old, s)));
    return { segment, sources, pkg: encode(base, slice(neu, segment), { quality: options.quality ?? 9 }) };
  });
  return writeInPlacePatch({ ...shape, baseSha256: sha256(old), targetSha256: sha256(neu), steps });
}
