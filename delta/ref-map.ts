// Reference maps (format 3): label adjustment in the manner of Courgette / Zucchini, on top of the
// code transforms. After the transform a call holds its absolute target; when a rebuild moves the
// callee, every call to it still differs between old and new by the callee's move. The encoder
// learns those moves from the matched calls themselves (an old call matched to a new one votes
// "old target T went to T'") and sends them as a piecewise-constant shift: sorted breakpoints
// (from target T on, add `shift`), a few hundred bytes. Both ends then rewrite every call target
// (and, for arm64, every ADRP page) of the old image through the map before the diff is taken, so
// calls into moved code stop differing at all. Maps count in the field's own units: arm64 call
// targets in 4-byte words, Thumb-2 in halfwords, ADRP in 4 KiB pages.
//
// Stream layout: two tables, calls then pages; each a varint count, then per breakpoint a varint
// distance from the previous breakpoint and a zigzag varint change of shift.

import { DeltaError } from './errors.ts';
import type { DeltaOp } from './match.ts';
import { putVarint, readVarint } from './varint.ts';

export interface Breakpoint {
  /** From this field value on (until the next breakpoint)... */
  readonly at: number;
  /** ...add this to it. */
  readonly shift: number;
}

export interface RefMap {
  readonly calls: readonly Breakpoint[];
  readonly pages: readonly Breakpoint[];
}

/** Where a reference field sits in an image and how to read it (kinds: 'call' or 'page'). */
export interface RefField {
  readonly kind: keyof RefMap;
  readonly value: number;
  /** Bytes the instruction covers (4 for both arm64 and Thumb-2 calls). */
  readonly size: number;
}

/** Finds the reference field of the instruction at `i` of a transformed image, if any. */
export type FieldReader = (img: Uint8Array, i: number) => RefField | undefined;

/** The mapped value of `value` (field units, wrapped by `mask`). */
export function mapValue(breaks: readonly Breakpoint[], value: number, mask: number): number {
  let lo = 0;
  let hi = breaks.length - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (breaks[mid]!.at <= value) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return k < 0 ? value : (value + breaks[k]!.shift) & mask;
}

/**
 * Learns the map from the matched parts of two transformed images: inside each add op, an old and
 * a new reference at the same place vote for the move of the old target; the most voted move of
 * each target wins, and a breakpoint is kept only where the move changes.
 */
export function learnRefMap(old: Uint8Array, neu: Uint8Array, ops: readonly DeltaOp[], read: FieldReader): RefMap {
  const votes = { calls: new Map<number, Map<number, number>>(), pages: new Map<number, Map<number, number>>() };
  let oldPos = 0;
  let outPos = 0;
  for (const op of ops) {
    if (op.add > 0) oldPos += op.seek;
    for (let k = 0; k + 4 <= op.add; k++) {
      const a = read(old, oldPos + k);
      const b = a && read(neu, outPos + k);
      if (!a || !b || a.kind !== b.kind) continue;
      const byTarget = votes[a.kind];
      let moves = byTarget.get(a.value);
      if (!moves) byTarget.set(a.value, (moves = new Map()));
      const move = b.value - a.value;
      moves.set(move, (moves.get(move) ?? 0) + 1);
      k += a.size - 1;
    }
    if (op.add > 0) oldPos += op.add;
    outPos += op.add + op.extra;
  }
  return { calls: breakpoints(votes.calls), pages: breakpoints(votes.pages) };
}

function breakpoints(votes: Map<number, Map<number, number>>): Breakpoint[] {
  const out: Breakpoint[] = [];
  let current = 0;
  for (const at of [...votes.keys()].sort((x, y) => x - y)) {
    let shift = 0;
    let most = -1;
    for (const [move, count] of votes.get(at)!) {
      if (count > most || (count === most && move === current)) {
        most = count;
        shift = move;
      }
    }
    if (shift !== current) out.push({ at, shift });
    current = shift;
  }
  return out;
}

export function isEmptyMap(map: RefMap): boolean {
  return map.calls.length === 0 && map.pages.length === 0;
}

export function encodeRefMap(map: RefMap): Uint8Array {
  const out: number[] = [];
  for (const table of [map.calls, map.pages]) {
    putVarint(out, table.length);
    let at = 0;
    let shift = 0;
    for (const b of table) {
      putVarint(out, b.at - at);
      const change = b.shift - shift;
      putVarint(out, change < 0 ? -2 * change - 1 : 2 * change);
      at = b.at;
      shift = b.shift;
    }
  }
  return Uint8Array.from(out);
}

/** Parses a reference map stream; anything but two well-formed tables and nothing after is corrupt. */
export function decodeRefMap(bytes: Uint8Array): RefMap {
  const cursor = { offset: 0 };
  const varint = (): number => readVarint(bytes, cursor, 'reference map', 'corrupt');
  const table = (): Breakpoint[] => {
    const count = varint();
    if (count > bytes.length) throw new DeltaError('corrupt', `reference map declares ${count} breakpoints`);
    const out: Breakpoint[] = [];
    let at = 0;
    let shift = 0;
    for (let i = 0; i < count; i++) {
      const step = varint();
      if (i > 0 && step === 0) throw new DeltaError('corrupt', 'reference map breakpoints are not increasing');
      const z = varint();
      at += step;
      shift += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      out.push({ at, shift });
    }
    return out;
  };
  const map = { calls: table(), pages: table() };
  if (cursor.offset !== bytes.length) throw new DeltaError('corrupt', 'reference map has bytes after its tables');
  return map;
}
