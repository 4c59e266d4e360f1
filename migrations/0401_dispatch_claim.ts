import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Claiming offers at fleet scale (issue 20). The claim walks a campaign's pending vehicles in VIN
// order: a partial index of only the pending ones finds the next batch without stepping over the
// vehicles already offered (a full pass over a 1M campaign once every vehicle was offered). Offered
// rows leave it for free: an update adds index entries only where the new row matches. The event
// log's foreign key is dropped: its per-row check was a sixth of a claim's time, and the log is
// written only by moveVehicles from the rows it just moved (vehicle-moves-only-writer.test.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX campaign_vehicles_pending ON campaign_vehicles (campaign_id, wave_no, vin) WHERE state = 'pending'`.execute(
    db,
  );
  await sql`ALTER TABLE campaign_vehicle_events DROP CONSTRAINT campaign_vehicle_events_campaign_id_vin_fkey`.execute(
    db,
  );
}
