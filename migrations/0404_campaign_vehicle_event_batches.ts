import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Cheaper vehicle moves (issue 20). Each move wrote one campaign_vehicle_events row with two index
// entries and a sequence value per vehicle: a third of a claim's and almost half of a result move's
// WAL. A move statement's vehicles share the campaign, the states left and entered and the time, so
// they are now logged as one row per (campaign, from, to, at) holding the VINs as an array
// (vehicle-moves.ts), in the same statement as the moves. `campaign_vehicle_events` stays, as a view
// of one row per vehicle and move with the batch's id (ordered per vehicle as before), so every
// reader of a vehicle's history (dashboard timeline, tests) reads what it read. Existing events are
// carried over, grouped the same way.
const statements = [
  `CREATE TABLE campaign_vehicle_event_batches (
     id bigserial PRIMARY KEY,
     campaign_id integer NOT NULL,
     from_state text NOT NULL,
     to_state text NOT NULL,
     at timestamptz NOT NULL,
     vins text[] NOT NULL CHECK (cardinality(vins) > 0)
   )`,
  `CREATE INDEX campaign_vehicle_event_batches_campaign ON campaign_vehicle_event_batches (campaign_id, at)`,
  `INSERT INTO campaign_vehicle_event_batches (campaign_id, from_state, to_state, at, vins)
   SELECT campaign_id, from_state, to_state, at, array_agg(vin ORDER BY id)
   FROM campaign_vehicle_events GROUP BY campaign_id, from_state, to_state, at ORDER BY min(id)`,
  `DROP TABLE campaign_vehicle_events`,
  `CREATE VIEW campaign_vehicle_events AS
   SELECT b.id, b.campaign_id, v.vin, b.from_state, b.to_state, b.at
   FROM campaign_vehicle_event_batches b CROSS JOIN LATERAL unnest(b.vins) AS v(vin)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
