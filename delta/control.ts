// The control stream: one op after another, each as three LEB128 varints (add, extra, zigzag seek).

import { DeltaError } from './errors.ts';
import type { DeltaOp } from './match.ts';

export function encodeOps(ops: readonly DeltaOp[]): Uint8Array {
  const out: number[] = [];
  const put = (value: number): void => {
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
  };
  for (const op of ops) {
    put(op.add);
    put(op.extra);
    put(op.seek < 0 ? -2 * op.seek - 1 : 2 * op.seek);
  }
  return Uint8Array.from(out);
}

/** Reads ops one by one; malformed varints are reported as a corrupt package. */
export class OpReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  next(): DeltaOp {
    const add = this.varint();
    const extra = this.varint();
    const z = this.varint();
    return { add, extra, seek: z % 2 === 0 ? z / 2 : -(z + 1) / 2 };
  }

  private varint(): number {
    let value = 0;
    let scale = 1;
    // 5 groups of 7 bits cover a zigzag-encoded 33-bit seek; longer varints are malformed.
    for (let i = 0; i < 5; i++) {
      const b = this.bytes[this.offset++];
      if (b === undefined) throw new DeltaError('corrupt', 'control stream ends inside an op');
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
    throw new DeltaError('corrupt', 'control stream holds an over-long number');
  }
}
