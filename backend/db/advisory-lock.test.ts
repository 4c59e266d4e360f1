// The advisory-lock helper on real PostgreSQL, as two backend instances use it: two connection pools.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait-for.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import { LOCK_NAMESPACES, lockForTransaction, lockKeys, tryLockForTransaction } from './advisory-lock.ts';
import type { AdvisoryLockKey } from './advisory-lock.ts';
import { createDatabase } from './database.ts';
import type { Db } from './database.ts';

const database = useTestDatabase();
/** The second instance's own pool. */
let other: Db;

beforeAll(() => {
  if (!database.url) throw new Error('needs real PostgreSQL (DATABASE_URL): two instances need two connections');
  other = createDatabase({ url: database.url });
});
afterAll(() => other?.destroy());

/** A transaction on `db` that holds `key` until end() commits it or rolls it back. */
async function holding(db: Db, key: AdvisoryLockKey) {
  let end: (how: 'commit' | 'rollback') => void = () => undefined;
  const ended = new Promise<'commit' | 'rollback'>((r) => (end = r));
  let taken: () => void = () => undefined;
  const held = new Promise<void>((r) => (taken = r));
  const done = db
    .transaction()
    .execute(async (trx) => {
      await lockForTransaction(trx, key);
      taken();
      if ((await ended) === 'rollback') throw new Error('rolled back');
    })
    .catch((error: Error) => {
      if (error.message !== 'rolled back') throw error;
    });
  await held;
  return { end: (how: 'commit' | 'rollback') => (end(how), done) };
}

const tryOn = (db: Db, key: AdvisoryLockKey) => db.transaction().execute((trx) => tryLockForTransaction(trx, key));

describe('advisory locks', () => {
  for (const how of ['commit', 'rollback'] as const) {
    it(`holds the lock against another pool until the holder's ${how}`, async () => {
      const key = lockKeys.campaignWaveEvaluation(how === 'commit' ? 101 : 102);
      const first = await holding(database.db, key);
      expect(await tryOn(other, key)).toBe(false);
      expect(await tryOn(other, key)).toBe(false);
      await first.end(how);
      expect(await tryOn(other, key)).toBe(true);
      // The second pool's try released it with its own transaction: the first takes it again.
      expect(await tryOn(database.db, key)).toBe(true);
    });
  }

  it('makes a waiting taker wait until the holder ends', async () => {
    const key = lockKeys.campaignDispatchPace(103);
    const first = await holding(database.db, key);
    const order: string[] = [];
    const second = other.transaction().execute(async (trx) => {
      await lockForTransaction(trx, key);
      order.push('second took it');
    });
    await waitFor('the second pool to wait for the lock', async () => {
      const r = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(database.db);
      return r.rows[0]!.n > 0;
    });
    order.push('first ends');
    await first.end('commit');
    await second;
    expect(order).toEqual(['first ends', 'second took it']);
  });

  it('keeps the namespaces apart: one id locked in two namespaces at once', async () => {
    const first = await holding(database.db, lockKeys.campaignDispatchPace(104));
    expect(await tryOn(other, lockKeys.campaignWaveEvaluation(104))).toBe(true);
    expect(await tryOn(other, lockKeys.vulnerabilityMatching())).toBe(true);
    expect(await tryOn(other, lockKeys.campaignDispatchPace(104))).toBe(false);
    await first.end('commit');
    const hashes = await sql<{
      h: number;
    }>`SELECT DISTINCT hashtext(n) AS h FROM unnest(${[...LOCK_NAMESPACES]}::text[]) n`.execute(database.db);
    expect(hashes.rows).toHaveLength(LOCK_NAMESPACES.length);
  });

  it('refuses an id that is no 32-bit integer, naming the namespace', () => {
    expect(() => lockKeys.campaignDispatchPace(2 ** 31)).toThrow(/campaign_dispatch_pace: id must be a 32-bit integer/);
    expect(() => lockKeys.campaignWaveEvaluation(1.5)).toThrow(RangeError);
  });
});
