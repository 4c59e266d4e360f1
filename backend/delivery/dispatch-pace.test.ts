import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { insertCampaign, insertUsers } from '../../test/integration/delivery/fixtures.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import { PACE_PERIOD_SECONDS, paceBudget, recordOffers } from './dispatch-pace.ts';

const database = useTestDatabase();

async function newCampaign(): Promise<number> {
  const users = await insertUsers(database.db);
  const { campaignId } = await insertCampaign(database.db, {
    releaseIds: [],
    vins: [],
    waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 0 }],
    users,
  });
  return campaignId;
}

/** One claim as an instance makes it: the budget, then `take` of it recorded, in one transaction. */
function claim(campaignId: number, perMinute: number, want: number, take = want) {
  return database.db.transaction().execute(async (trx) => {
    const budget = await paceBudget(trx, campaignId, perMinute, want);
    await recordOffers(trx, campaignId, budget.now, Math.min(take, budget.allowed));
    return budget;
  });
}

describe('dispatch pace', () => {
  it("allows a second's share of the pace per second, whoever claimed it", async () => {
    const campaignId = await newCampaign();
    // Both "instances" in the same second (the database clock decides): 600/min is 10 per second.
    const [first, second] = [await claim(campaignId, 600, 7), await claim(campaignId, 600, 7)];
    if (Math.floor(first.now.getTime() / 1000) !== Math.floor(second.now.getTime() / 1000)) return;
    expect(first.allowed).toBe(7);
    expect(second.allowed).toBe(3);
    expect((await claim(campaignId, 600, 7)).allowed).toBeLessThanOrEqual(10);
  });

  it('allows no more than the pace over the last period and the current second, and forgets older seconds', async () => {
    const campaignId = await newCampaign();
    const now = Math.floor(Date.now() / 1000);
    await database.db
      .insertInto('campaign_dispatch_pace')
      .values([
        { campaign_id: campaignId, second: now - PACE_PERIOD_SECONDS - 30, offered: 1000 },
        { campaign_id: campaignId, second: now - 30, offered: 595 },
      ])
      .execute();
    const budget = await claim(campaignId, 600, 10);
    expect(budget.allowed).toBe(5);
    const left = await sql<{ second: string }>`
      SELECT second FROM campaign_dispatch_pace WHERE campaign_id = ${campaignId} ORDER BY second`.execute(database.db);
    expect(left.rows.map((r) => Number(r.second))).not.toContain(now - PACE_PERIOD_SECONDS - 30);
    expect((await claim(campaignId, 600, 10)).allowed).toBe(0);
  });

  it('never allows a negative budget or more than was wanted', async () => {
    const campaignId = await newCampaign();
    expect((await claim(campaignId, 6000, 3)).allowed).toBe(3);
    const now = Math.floor(Date.now() / 1000);
    await recordOffers(database.db, campaignId, new Date(now * 1000), 500);
    expect((await claim(campaignId, 60, 3)).allowed).toBe(0);
  });
});
