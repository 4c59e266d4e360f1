import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { lockForTransaction, lockKeys } from '../db/advisory-lock.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/** The period a campaign's pace (vehicles per minute) is counted over. */
export const PACE_PERIOD_SECONDS = 60;

/** What a campaign's pace allows now, under the pace lock held until the caller's transaction ends. */
export interface PaceBudget {
  /** The database's clock when the lock was taken: the offers' timestamp and their ledger second. */
  readonly now: Date;
  /** Vehicles that may be offered now (0 when the pace is used up). */
  readonly allowed: number;
}

/**
 * Takes the campaign's pace lock (a transaction-scoped advisory lock, so instances take turns and
 * each sees the offers the others committed) and returns how many vehicles may be offered now: at
 * most a second's share of the pace this second, and at most the pace over the seconds from
 * PACE_PERIOD_SECONDS ago to now. Counting that second too makes every window of one period,
 * wherever it starts, hold at most `perMinute` offers (the price: 60/61 of the pace on average).
 * Call it inside the transaction that claims and then recordOffers().
 */
export async function paceBudget(
  trx: Transaction<Database>,
  campaignId: number,
  perMinute: number,
  want: number,
): Promise<PaceBudget> {
  await lockForTransaction(trx, lockKeys.campaignDispatchPace(campaignId));
  const { now } = (await sql<{ now: Date }>`SELECT clock_timestamp() AS now`.execute(trx)).rows[0]!;
  const second = Math.floor(now.getTime() / 1000);
  const used = (
    await sql<{ this_second: number; in_period: number }>`
      SELECT coalesce(sum(offered) FILTER (WHERE second = ${second}), 0)::int AS this_second,
             coalesce(sum(offered), 0)::int AS in_period
      FROM campaign_dispatch_pace WHERE campaign_id = ${campaignId} AND second >= ${second - PACE_PERIOD_SECONDS}`.execute(
      trx,
    )
  ).rows[0]!;
  const perSecond = Math.ceil(perMinute / 60);
  const allowed = Math.min(want, perSecond - used.this_second, perMinute - used.in_period);
  return { now, allowed: Math.max(0, allowed) };
}

/** Adds `count` offers made at `now` (a PaceBudget's) to the campaign's ledger and drops seconds past the period. */
export async function recordOffers(trx: Db, campaignId: number, now: Date, count: number): Promise<void> {
  if (count <= 0) return;
  const second = Math.floor(now.getTime() / 1000);
  await sql`
    INSERT INTO campaign_dispatch_pace (campaign_id, second, offered) VALUES (${campaignId}, ${second}, ${count})
    ON CONFLICT (campaign_id, second) DO UPDATE SET offered = campaign_dispatch_pace.offered + excluded.offered`.execute(
    trx,
  );
  await sql`DELETE FROM campaign_dispatch_pace
    WHERE campaign_id = ${campaignId} AND second < ${second - PACE_PERIOD_SECONDS}`.execute(trx);
}

/**
 * Reserves up to `want` offers of the campaign's pace in a transaction of its own, so the pace lock
 * is held only for it: the offers are then claimed and published in another transaction while other
 * instances reserve theirs. Offers reserved but not made go back with returnOffers(); until then the
 * ledger counts more than was offered, never less.
 */
export function reserveOffers(db: Db, campaignId: number, perMinute: number, want: number): Promise<PaceBudget> {
  return db.transaction().execute(async (trx) => {
    const budget = await paceBudget(trx, campaignId, perMinute, want);
    await recordOffers(trx, campaignId, budget.now, budget.allowed);
    return budget;
  });
}

/** Gives back `count` offers reserved at `now` and not made (a publish failed, fewer vehicles were pending). */
export async function returnOffers(db: Db, campaignId: number, now: Date, count: number): Promise<void> {
  if (count <= 0) return;
  await sql`UPDATE campaign_dispatch_pace SET offered = greatest(0, offered - ${count})
    WHERE campaign_id = ${campaignId} AND second = ${Math.floor(now.getTime() / 1000)}`.execute(db);
}
