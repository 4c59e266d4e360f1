// An audit head as people write it down ("SEQ:HASH", e.g. from an evidence export), kept apart from the
// verification (verify-anchored.ts) so `ota-verify-audit --help` parses its flags without the database code.
import type { ChainPoint } from './chain.ts';

/** A head someone wrote down ("SEQ:HASH"): that entry must still exist with that hash. */
export interface ExpectedHead {
  readonly seq: number;
  readonly hash: string;
}

export function formatHead(head: ChainPoint): string {
  return `${head.seq}:${head.hash}`;
}

export function parseExpectedHead(text: string): ExpectedHead {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!m || Number(m[1]) < 1)
    throw new RangeError(`expected SEQ:HASH (an entry number from 1, 64 hex digits), got "${text}"`);
  return { seq: Number(m[1]), hash: m[2]! };
}
