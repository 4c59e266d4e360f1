// LZMA's binary range coder, both directions (lzma-specification.txt; the encoder is the mirror
// of its decoder, as the LZMA SDK's LzmaEnc.c writes it): 11-bit probabilities adapted by 1/32,
// renormalised a byte at a time below 2^24, the encoder's carry held back in `cache` and a run
// of pending 0xFF bytes, five bytes flushed at the end.

import { DeltaError } from './errors.ts';
import type { BitCoder } from './lzma-model.ts';

const TOP = 0x100_0000;
const BIT_MODEL_TOTAL = 1 << 11;
const MOVE_BITS = 5;

export class RangeDecoder implements BitCoder {
  private range = 0xffff_ffff;
  private code = 0;
  private at: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    if (bytes[start] !== 0) throw new DeltaError('corrupt', 'LZMA stream does not start with a zero byte');
    this.at = start + 1;
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
    if (this.code === this.range) throw new DeltaError('corrupt', 'LZMA stream starts with an impossible code');
  }

  /** True when the stream could end here without an end marker. */
  get finished(): boolean {
    return this.code === 0;
  }

  bit(probs: Uint16Array, i: number): number {
    const p = probs[i]!;
    const bound = (this.range >>> 11) * p;
    let b: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((BIT_MODEL_TOTAL - p) >>> MOVE_BITS);
      b = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[i] = p - (p >>> MOVE_BITS);
      b = 1;
    }
    if (this.range < TOP) this.shift();
    return b;
  }

  direct(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      value = value * 2 + b;
      if (this.range < TOP) this.shift();
    }
    return value;
  }

  private shift(): void {
    this.range = (this.range * 256) >>> 0;
    this.code = ((this.code * 256) >>> 0) | this.next();
    this.code >>>= 0;
  }

  private next(): number {
    const b = this.bytes[this.at++];
    if (b === undefined) throw new DeltaError('corrupt', 'LZMA stream ends early');
    return b;
  }
}

/** Writes into a buffer of the stream's declared length: a longer stream is not the one declared. */
export class RangeEncoder implements BitCoder {
  private range = 0xffff_ffff;
  /** Up to 33 bits: the carry is bit 32. */
  private low = 0;
  private cache = 0;
  private cacheSize = 1;
  private at = 0;

  constructor(private readonly out: Uint8Array) {}

  bit(probs: Uint16Array, i: number, bit: number): number {
    const p = probs[i]!;
    const bound = (this.range >>> 11) * p;
    if (bit === 0) {
      this.range = bound;
      probs[i] = p + ((BIT_MODEL_TOTAL - p) >>> MOVE_BITS);
    } else {
      this.low += bound;
      this.range -= bound;
      probs[i] = p - (p >>> MOVE_BITS);
    }
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.shiftLow();
    }
    return bit;
  }

  direct(count: number, value: number): number {
    for (let i = count - 1; i >= 0; i--) {
      this.range >>>= 1;
      if ((value >>> i) & 1) this.low += this.range;
      while (this.range < TOP) {
        this.range = (this.range * 256) >>> 0;
        this.shiftLow();
      }
    }
    return value;
  }

  /** Flushes the last bytes; returns how many the stream has. */
  finish(): number {
    for (let i = 0; i < 5; i++) this.shiftLow();
    return this.at;
  }

  private shiftLow(): void {
    const carry = this.low >= 0x1_0000_0000 ? 1 : 0;
    const low32 = this.low % 0x1_0000_0000;
    if (low32 < 0xff00_0000 || carry) {
      let temp = this.cache;
      do {
        this.put((temp + carry) & 0xff);
        temp = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = low32 >>> 24;
    }
    this.cacheSize++;
    this.low = (low32 % TOP) * 256;
  }

  private put(b: number): void {
    if (this.at >= this.out.length) {
      throw new DeltaError(
        'result_mismatch',
        `replayed LZMA stream is longer than the declared ${this.out.length} bytes`,
      );
    }
    this.out[this.at++] = b;
  }
}
