// The control stream: one op after another, each as three LEB128 varints (add, extra, zigzag seek).

import type { DeltaOp } from './match.ts';
import { putVarint, readVarint } from './varint.ts';

export function encodeOps(ops: readonly DeltaOp[]): Uint8Array {
  const out: number[] = [];
  for (const op of ops) {
    putVarint(out, op.add);
    putVarint(out, op.extra);
    putVarint(out, op.seek < 0 ? -2 * op.seek - 1 : 2 * op.seek);
  }
  return Uint8Array.from(out);
}

/** Reads ops one by one; malformed varints are reported as a corrupt package. */
export class OpReader {
  private readonly cursor = { offset: 0 };

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.cursor.offset >= this.bytes.length;
  }

  next(): DeltaOp {
    const add = this.varint();
    const extra = this.varint();
    const z = this.varint();
    return { add, extra, seek: z % 2 === 0 ? z / 2 : -(z + 1) / 2 };
  }

  private varint(): number {
    return readVarint(this.bytes, this.cursor, 'control stream', 'corrupt');
  }
}
