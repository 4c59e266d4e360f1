// An LZMA stream's parse: the sequence of its packets (literal, match, rep, short rep) without the
// bytes they produce. With the decompressed data it fixes the compressed stream exactly (see
// lzma-model.ts). Serialised so that equal stretches of two similar streams are equal bytes, and a
// delta between two parses is small: one byte per packet (kind in the top 3 bits, a literal run or
// length in the low 5), a varint for long lengths and for a match's distance.

import { DeltaError } from './errors.ts';
import { MAX_MATCH, MIN_MATCH } from './lzma-model.ts';
import { putVarint, readVarint } from './varint.ts';

/** Packet kinds; Rep0 + i is a rep of rep distance i. */
export const Packet = { Literals: 0, Match: 1, Rep0: 2, Rep3: 5, ShortRep: 6 } as const;
export type PacketKind = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const LOW = 0x1f;
const MAX_RUN = LOW + 1;
const INLINE_LENGTHS = LOW; // lengths 2..32 inline, 31 means a varint follows

export class ParseWriter {
  private bytes: Uint8Array;
  private at = 0;
  /** Literals seen since the last packet that was not one. */
  private run = 0;
  private readonly sink = { push: (b: number) => this.put(b) };

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 64));
  }

  literal(): void {
    if (++this.run === MAX_RUN) this.flushRun();
  }

  match(len: number, dist: number): void {
    this.withLength(Packet.Match, len);
    putVarint(this.sink, dist);
  }

  rep(which: 0 | 1 | 2 | 3, len: number): void {
    this.withLength(Packet.Rep0 + which, len);
  }

  shortRep(): void {
    this.flushRun();
    this.put(Packet.ShortRep << 5);
  }

  finish(): Uint8Array {
    this.flushRun();
    return this.bytes.subarray(0, this.at);
  }

  private withLength(kind: number, len: number): void {
    this.flushRun();
    const code = len - MIN_MATCH;
    this.put((kind << 5) | Math.min(code, INLINE_LENGTHS));
    if (code >= INLINE_LENGTHS) putVarint(this.sink, code - INLINE_LENGTHS);
  }

  private flushRun(): void {
    if (this.run === 0) return;
    this.put((Packet.Literals << 5) | (this.run - 1));
    this.run = 0;
  }

  private put(b: number): void {
    if (this.at === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.at++] = b;
  }
}

/** One packet as read back: `count` literals, or a match/rep of `len` (and a match's `dist`). */
export interface ParsedPacket {
  kind: PacketKind;
  count: number;
  len: number;
  dist: number;
}

export class ParseReader {
  private readonly cursor = { offset: 0 };
  readonly packet: ParsedPacket = { kind: Packet.Literals, count: 0, len: 0, dist: 0 };

  constructor(private readonly bytes: Uint8Array) {}

  /** Reads the next packet into `packet`; false at the end. */
  next(): boolean {
    const b = this.bytes[this.cursor.offset++];
    if (b === undefined) return false;
    const kind = b >>> 5;
    if (kind > Packet.ShortRep) throw new DeltaError('corrupt', `LZMA parse holds an unknown packet kind ${kind}`);
    const low = b & LOW;
    const p = this.packet;
    p.kind = kind as PacketKind;
    if (kind === Packet.Literals) {
      p.count = low + 1;
    } else if (kind === Packet.ShortRep) {
      if (low !== 0) throw new DeltaError('corrupt', `LZMA parse holds a short rep with bits ${low}`);
    } else {
      const code = low < INLINE_LENGTHS ? low : INLINE_LENGTHS + this.varint();
      p.len = code + MIN_MATCH;
      if (p.len > MAX_MATCH) throw new DeltaError('corrupt', `LZMA parse holds a length of ${p.len}`);
      if (kind === Packet.Match) p.dist = this.varint();
    }
    return true;
  }

  private varint(): number {
    return readVarint(this.bytes, this.cursor, 'LZMA parse', 'corrupt');
  }
}
