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

/** Where the last emitted match ended: new offset, old offset, and their distance (the current alignment). */
interface Anchor {
  readonly scan: number;
  readonly pos: number;
  readonly offset: number;
}

/** An exact match: `len` bytes of neu[scan..] at old[pos..]; `oldScore`: how many the anchor's alignment matches. */
interface Match {
  readonly scan: number;
  readonly len: number;
  readonly pos: number;
  readonly oldScore: number;
}

export function diffImages(
  old: Uint8Array,
  neu: Uint8Array,
  onProgress?: (done: number, total: number) => void,
): DeltaScript {
  const sa = suffixArray(old);
  const newLen = neu.length;
  const script = new ScriptWriter(neu);
  let match: Match = { scan: 0, len: 0, pos: 0, oldScore: 0 };
  let anchor: Anchor = { scan: 0, pos: 0, offset: 0 };
  let nextProgress = PROGRESS_STEP;

  while (match.scan < newLen) {
    match = nextMatch(sa, old, neu, match, anchor.offset);
    if (onProgress && match.scan >= nextProgress) {
      onProgress(Math.min(match.scan, newLen), newLen);
      nextProgress = match.scan + PROGRESS_STEP;
    }
    if (match.len === match.oldScore && match.scan !== newLen) continue;
    const { lenF, lenB } = growBoth(old, neu, anchor, match);
    script.emit(anchor, lenF, match.scan - lenB);
    anchor = { scan: match.scan - lenB, pos: match.pos - lenB, offset: match.pos - match.scan };
  }
  onProgress?.(newLen, newLen);
  return script.finish();
}

/**
 * Scans on from the end of the previous match for the first exact match worth switching to: one the
 * current alignment does not already cover, or beats by more than MIN_GAIN bytes. Returns `scan` at
 * the end of neu when there is none (with the last match looked at, or `prev`'s if none was).
 */
function nextMatch(sa: Int32Array, old: Uint8Array, neu: Uint8Array, prev: Match, lastOffset: number): Match {
  const oldLen = old.length;
  const newLen = neu.length;
  let { len, pos } = prev;
  let scan = prev.scan + prev.len;
  let oldScore = 0;
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
  return { scan, len, pos, oldScore };
}

/** How far the previous match grows forwards (lenF) and the new one backwards (lenB), without overlap. */
function growBoth(old: Uint8Array, neu: Uint8Array, anchor: Anchor, match: Match): { lenF: number; lenB: number } {
  const lenF = growForward(old, neu, anchor, match.scan);
  const lenB = match.scan < neu.length ? growBackward(old, neu, anchor.scan, match) : 0;
  if (anchor.scan + lenF <= match.scan - lenB) return { lenF, lenB };
  return splitOverlap(old, neu, anchor, match, lenF, lenB);
}

/** Grows the previous match forwards, up to `scan`, while more than half of the bytes agree. */
function growForward(old: Uint8Array, neu: Uint8Array, anchor: Anchor, scan: number): number {
  let lenF = 0;
  let s = 0;
  let best = 0;
  for (let i = 0; anchor.scan + i < scan && anchor.pos + i < old.length;) {
    if (old[anchor.pos + i] === neu[anchor.scan + i]) s++;
    i++;
    if (s * 2 - i > best * 2 - lenF) {
      best = s;
      lenF = i;
    }
  }
  return lenF;
}

/** Grows the new match backwards, down to `lastScan`, the same way. */
function growBackward(old: Uint8Array, neu: Uint8Array, lastScan: number, match: Match): number {
  const { scan, pos } = match;
  let lenB = 0;
  let s = 0;
  let best = 0;
  for (let i = 1; scan >= lastScan + i && pos >= i; i++) {
    if (old[pos - i] === neu[scan - i]) s++;
    if (s * 2 - i > best * 2 - lenB) {
      best = s;
      lenB = i;
    }
  }
  return lenB;
}

/** Where the two grown regions overlap, splits the overlap where the forward one stops paying. */
function splitOverlap(
  old: Uint8Array,
  neu: Uint8Array,
  anchor: Anchor,
  match: Match,
  lenF: number,
  lenB: number,
): { lenF: number; lenB: number } {
  const { scan, pos } = match;
  const overlap = anchor.scan + lenF - (scan - lenB);
  let s = 0;
  let best = 0;
  let split = 0;
  for (let i = 0; i < overlap; i++) {
    if (neu[anchor.scan + lenF - overlap + i] === old[anchor.pos + lenF - overlap + i]) s++;
    if (neu[scan - lenB + i] === old[pos - lenB + i]) s--;
    if (s > best) {
      best = s;
      split = i + 1;
    }
  }
  return { lenF: lenF + split - overlap, lenB: lenB - split };
}

/** Collects the ops and the literal bytes, tracking where the decoder's old cursor stands. */
class ScriptWriter {
  private readonly ops: DeltaOp[] = [];
  private readonly extra: Uint8Array;
  private extraLen = 0;
  private cursor = 0;

  constructor(private readonly neu: Uint8Array) {
    this.extra = new Uint8Array(neu.length);
  }

  /** The grown previous match (`lenF` bytes at the anchor), then neu's bytes up to `extraEnd` literally. */
  emit(anchor: Anchor, lenF: number, extraEnd: number): void {
    const extraStart = anchor.scan + lenF;
    const extraCount = extraEnd - extraStart;
    if (lenF === 0 && extraCount <= 0) return;
    this.extra.set(this.neu.subarray(extraStart, extraEnd), this.extraLen);
    this.extraLen += extraCount;
    this.ops.push({ seek: lenF > 0 ? anchor.pos - this.cursor : 0, add: lenF, extra: extraCount });
    if (lenF > 0) this.cursor = anchor.pos + lenF;
  }

  finish(): DeltaScript {
    return { ops: this.ops, extra: this.extra.subarray(0, this.extraLen) };
  }
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
