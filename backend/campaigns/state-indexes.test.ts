import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { runningCampaign } from '../../test/integration/delivery/fixtures.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import type { Db } from '../db/database.ts';
import { claimOffers } from '../delivery/claim-offers.ts';
import { FAILED_VEHICLE_STATES } from './states.ts';

// migrations/0402: campaign_vehicles has partial indexes per state read instead of indexes keyed on
// state, so a vehicle move writes no index entry but the primary key's. These pin what the readers
// rely on: the predicates name the states they are read with, and the claim plan uses its index.

const database = useTestDatabase();

/** The states quoted in a campaign_vehicles index's definition (its WHERE clause). */
async function indexStates(db: Db, index: string): Promise<string[]> {
  const { rows } = await sql<{ indexdef: string }>`
    SELECT indexdef FROM pg_indexes WHERE tablename = 'campaign_vehicles' AND indexname = ${index}`.execute(db);
  const where = rows[0]?.indexdef.split(' WHERE ')[1] ?? '';
  return [...where.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!).sort();
}

describe('campaign_vehicles state indexes', () => {
  it('index the pending, offered and failed vehicles, each by exactly its states', async () => {
    expect(await indexStates(database.db, 'campaign_vehicles_pending')).toEqual(['pending']);
    expect(await indexStates(database.db, 'campaign_vehicles_offered')).toEqual(['offered']);
    expect(await indexStates(database.db, 'campaign_vehicles_failed')).toEqual([...FAILED_VEHICLE_STATES].sort());
  });

  it('serve the claim from the pending index', async () => {
    const { campaignId } = await runningCampaign(database.db, { prefix: 'IDX', count: 20 });
    // One connection: the index scan counts of this backend are flushed before they are read.
    const scans = await database.db.connection().execute(async (conn) => {
      const count = async () => {
        await sql`SELECT pg_stat_force_next_flush()`.execute(conn);
        const { rows } = await sql<{ n: string }>`SELECT coalesce(sum(idx_scan), 0) AS n FROM pg_stat_user_indexes
          WHERE indexrelname = 'campaign_vehicles_pending'`.execute(conn);
        return Number(rows[0]?.n);
      };
      const before = await count();
      await claimOffers(conn, { campaignId, waveNo: 1, afterVin: '', limit: 5 });
      return (await count()) - before;
    });
    expect(scans).toBeGreaterThan(0);
  });
});
