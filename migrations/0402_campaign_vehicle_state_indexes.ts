import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Cheaper vehicle moves (issue 20). `state` was a key column of two indexes (wave_state, a prefix of
// dispatch), so every move wrote a new entry into both, plus the primary key. Each reader of them
// asks for a few states: claims and the pending list read `pending` in VIN order per wave, the offer
// sweeper reads `offered` by offer time, the failure breakdown reads FAILED_VEHICLE_STATES. Partial
// indexes serve exactly these, and a row gets an entry only when it enters one of them: a claim
// writes the primary key and the offered index, a result the primary key (and the failed index when
// it failed), progress the primary key alone. No fillfactor: a column in an index predicate blocks
// HOT updates in PostgreSQL 15 just like a key column, and every move changes `state`. The claim
// (claim-offers.ts) writes `state = 'pending'` as a literal, so every plan of it can use the index.
const statements = [
  `CREATE INDEX campaign_vehicles_pending ON campaign_vehicles (campaign_id, wave_no, vin) WHERE state = 'pending'`,
  `CREATE INDEX campaign_vehicles_offered ON campaign_vehicles (offered_at) WHERE state = 'offered'`,
  `CREATE INDEX campaign_vehicles_failed ON campaign_vehicles (campaign_id, vin)
     WHERE state IN ('failed', 'rolled_back', 'rollback_failed')`,
  `DROP INDEX campaign_vehicles_dispatch`,
  `DROP INDEX campaign_vehicles_wave_state`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
