// LEB128 varints, the integer encoding of the header and the control stream.

import { DeltaError } from './errors.ts';
import type { DeltaErrorCode } from './errors.ts';

/** Five groups of 7 bits cover 35 bits: every length and zigzag seek the format allows. */
const MAX_VARINT_BYTES = 5;

/** Where putVarint writes: a number[] or any other byte sink. */
export interface ByteSink {
  push(byte: number): unknown;
}

export function putVarint(out: ByteSink, value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/**
 * Reads one varint at `cursor.offset` and advances it. Running out of bytes is reported with
 * `endCode` (a cut header is `truncated`, a short control stream `corrupt`); `what` names the field.
 */
export function readVarint(
  bytes: Uint8Array,
  cursor: { offset: number },
  what: string,
  endCode: DeltaErrorCode,
): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const b = bytes[cursor.offset++];
    if (b === undefined) throw new DeltaError(endCode, `${what} ends inside a number`);
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 0x80;
  }
  throw new DeltaError('corrupt', `${what} holds an over-long number`);
}
