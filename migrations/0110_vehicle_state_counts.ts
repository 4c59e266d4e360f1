import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Per-wave vehicle state counts (issues 16 and 20), so campaign list, detail, progress and wave
// evaluation read a few rows instead of counting campaign_vehicles. A ledger of signed deltas:
// every statement that moves vehicles appends one row per (wave, state) it changed, which takes no
// lock other writers wait for; the sum per (campaign, wave, state) is the count. Compaction folds a
// campaign's rows into one per key. Existing campaigns are backfilled with their current counts.
const statements = [
  `CREATE TABLE campaign_vehicle_counts (
     campaign_id integer NOT NULL REFERENCES campaigns(id),
     wave_no integer NOT NULL,
     state text NOT NULL,
     n bigint NOT NULL
   )`,
  `CREATE INDEX campaign_vehicle_counts_campaign ON campaign_vehicle_counts (campaign_id, wave_no, state)`,
  `INSERT INTO campaign_vehicle_counts (campaign_id, wave_no, state, n)
   SELECT campaign_id, wave_no, state, count(*) FROM campaign_vehicles GROUP BY campaign_id, wave_no, state`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
