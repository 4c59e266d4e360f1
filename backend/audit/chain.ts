import type { Db } from '../db/database.ts';
import { entryHash, toAuditEntry } from './service.ts';

/** Where a chain starts: before entry 1, linked to 64 zeros (the head row's initial value). */
export const GENESIS = { seq: 0, hash: '0'.repeat(64) } as const;

export interface ChainPoint {
  readonly seq: number;
  readonly hash: string;
}

/** One entry of a recomputed chain: intact, or the first broken one (the walk stops there). */
export type ChainStep =
  ({ readonly ok: true } & ChainPoint) | { readonly ok: false; readonly seq: number; readonly problem: string };

/**
 * Recomputes the chain after `from` page by page (never the whole log in memory): every entry must
 * follow the previous one without a gap, link to its hash and hash to what it stores.
 */
export async function* walkChain(db: Db, from: ChainPoint = GENESIS, pageSize = 1000): AsyncGenerator<ChainStep> {
  let expectedSeq = from.seq + 1;
  let prevHash = from.hash;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', String(expectedSeq - 1))
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      const { hash, ...unhashed } = toAuditEntry(row);
      const seq = expectedSeq;
      if (unhashed.seq !== seq) {
        yield { ok: false, seq, problem: `entry ${seq} is missing (next entry is ${unhashed.seq})` };
        return;
      }
      if (unhashed.prevHash !== prevHash) {
        yield { ok: false, seq, problem: `entry ${seq} does not link to the previous entry` };
        return;
      }
      if (entryHash(unhashed) !== hash) {
        yield { ok: false, seq, problem: `entry ${seq} was altered (hash mismatch)` };
        return;
      }
      yield { ok: true, seq, hash };
      prevHash = hash;
      expectedSeq += 1;
    }
    if (rows.length < pageSize) return;
  }
}

/** The head row: the sequence number and hash the writers last recorded. */
export async function readAuditHead(db: Db): Promise<ChainPoint> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}

export type AuditVerification =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; firstBadSeq: number; problem: string };

/** Recomputes the whole chain and checks it ends at the head row (the database alone, no anchor). */
export async function verifyAuditChain(db: Db, pageSize = 1000): Promise<AuditVerification> {
  let last: ChainPoint = GENESIS;
  for await (const step of walkChain(db, GENESIS, pageSize)) {
    if (!step.ok) return { ok: false, entries: last.seq, firstBadSeq: step.seq, problem: step.problem };
    last = step;
  }
  const head = await readAuditHead(db);
  if (head.seq !== last.seq || head.hash !== last.hash) {
    return {
      ok: false,
      entries: last.seq,
      firstBadSeq: last.seq + 1,
      problem: `the log ends at entry ${last.seq} but the head records ${head.seq}: entries were removed`,
    };
  }
  return { ok: true, entries: last.seq, headHash: last.hash };
}
