// Approximate matching in the style of bsdiff (Percival, "Naive differences of executable code"):
// find long exact matches of the new image in the old one with a suffix array, then grow each
// match forwards and backwards while at least half of the bytes still agree. Inside a grown match
// the new bytes are stored as differences to the old bytes ("diff", mostly zeros when code only
// moved; see word-diff.ts), and bytes no match covers are stored literally ("extra").

import { suffixArray } from './suffix-array.ts';

/** One op: move the old cursor by `seek`, emit `add` bytes of old + diff, then `extra` literal bytes. */
export interface DeltaOp {
  readonly seek: number;
  readonly add: number;
  readonly extra: number;
}

export interface DeltaScript {
  readonly ops: DeltaOp[];
  /** Literal bytes, in output order. */
  readonly extra: Uint8Array;
}

/** A match that the cursor already follows must beat it by more than this many bytes to be taken. */
const MIN_GAIN = 8;
const PROGRESS_STEP = 1 << 16;

export function diffImages(
  old: Uint8Array,
  neu: Uint8Array,
  onProgress?: (done: number, total: number) => void,
): DeltaScript {
  const sa = suffixArray(old);
  const oldLen = old.length;
  const newLen = neu.length;
  const ops: DeltaOp[] = [];
  const extra = new Uint8Array(newLen);
  let extraLen = 0;
  let cursor = 0; // where the decoder's old cursor stands after the ops so far

  let scan = 0;
  let len = 0;
  let pos = 0;
  let lastScan = 0;
  let lastPos = 0;
  let lastOffset = 0;
  let nextProgress = PROGRESS_STEP;

  while (scan < newLen) {
    let oldScore = 0;
    scan += len;
    let scsc = scan;
    for (; scan < newLen; scan++) {
      const m = longestMatch(sa, old, neu, scan);
      len = m.len;
      pos = m.pos;
      // How many bytes of the candidate range does the current alignment already match?
      for (; scsc < scan + len; scsc++) {
        if (scsc + lastOffset < oldLen && old[scsc + lastOffset] === neu[scsc]) oldScore++;
      }
      if ((len === oldScore && len !== 0) || len > oldScore + MIN_GAIN) break;
      if (scan + lastOffset < oldLen && old[scan + lastOffset] === neu[scan]) oldScore--;
    }
    if (onProgress && scan >= nextProgress) {
      onProgress(Math.min(scan, newLen), newLen);
      nextProgress = scan + PROGRESS_STEP;
    }
    if (len === oldScore && scan !== newLen) continue;

    // Grow the previous match forwards while more than half of the bytes agree.
    let lenF = 0;
    {
      let s = 0;
      let best = 0;
      for (let i = 0; lastScan + i < scan && lastPos + i < oldLen;) {
        if (old[lastPos + i] === neu[lastScan + i]) s++;
        i++;
        if (s * 2 - i > best * 2 - lenF) {
          best = s;
          lenF = i;
        }
      }
    }
    // Grow the new match backwards the same way.
    let lenB = 0;
    if (scan < newLen) {
      let s = 0;
      let best = 0;
      for (let i = 1; scan >= lastScan + i && pos >= i; i++) {
        if (old[pos - i] === neu[scan - i]) s++;
        if (s * 2 - i > best * 2 - lenB) {
          best = s;
          lenB = i;
        }
      }
    }
    // If the two grown regions overlap, split the overlap where the forward one stops paying.
    if (lastScan + lenF > scan - lenB) {
      const overlap = lastScan + lenF - (scan - lenB);
      let s = 0;
      let best = 0;
      let split = 0;
      for (let i = 0; i < overlap; i++) {
        if (neu[lastScan + lenF - overlap + i] === old[lastPos + lenF - overlap + i]) s++;
        if (neu[scan - lenB + i] === old[pos - lenB + i]) s--;
        if (s > best) {
          best = s;
          split = i + 1;
        }
      }
      lenF += split - overlap;
      lenB -= split;
    }

    const extraCount = scan - lenB - (lastScan + lenF);
    if (lenF > 0 || extraCount > 0) {
      extra.set(neu.subarray(lastScan + lenF, scan - lenB), extraLen);
      extraLen += extraCount;
      ops.push({ seek: lenF > 0 ? lastPos - cursor : 0, add: lenF, extra: extraCount });
      if (lenF > 0) cursor = lastPos + lenF;
    }
    lastScan = scan - lenB;
    lastPos = pos - lenB;
    lastOffset = pos - scan;
  }
  onProgress?.(newLen, newLen);
  return { ops, extra: extra.subarray(0, extraLen) };
}

/** Longest prefix of neu[scan..] that occurs in old, found by binary search in the suffix array. */
function longestMatch(sa: Int32Array, old: Uint8Array, neu: Uint8Array, scan: number): { len: number; pos: number } {
  if (sa.length === 0) return { len: 0, pos: 0 };
  let lo = 0;
  let hi = sa.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (compareSuffix(old, sa[mid]!, neu, scan) < 0) lo = mid;
    else hi = mid;
  }
  const posLo = sa[lo]!;
  const posHi = sa[hi]!;
  const lenLo = commonPrefix(old, posLo, neu, scan);
  const lenHi = commonPrefix(old, posHi, neu, scan);
  return lenLo >= lenHi ? { len: lenLo, pos: posLo } : { len: lenHi, pos: posHi };
}

function commonPrefix(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  const max = Math.min(a.length - ai, b.length - bi);
  let k = 0;
  while (k < max && a[ai + k] === b[bi + k]) k++;
  return k;
}

function compareSuffix(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  const k = commonPrefix(a, ai, b, bi);
  if (ai + k === a.length) return bi + k === b.length ? 0 : -1;
  if (bi + k === b.length) return 1;
  return a[ai + k]! - b[bi + k]!;
}
