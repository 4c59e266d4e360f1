import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Fleet-scale offers and target resolution (issue 20). Foreign keys of the per-vehicle campaign
// tables are checked row by row, which was a sixth of each offer claim (the event log) and 40 % of
// submitting a campaign (campaign_vehicles to campaigns and vehicles, campaign_ecus to
// campaign_vehicles and releases). Each of these rows is written only from the rows it refers to, in
// the same statement or transaction (targeting.ts from vehicles, campaign_releases and the campaign
// row it holds locked; vehicle-moves.ts from the rows it moved, vehicle-moves-only-writer.test.ts),
// and vehicles and releases are never deleted; a draft campaign is deleted only with its targets.
const DROPPED = [
  ['campaign_vehicle_events', 'campaign_vehicle_events_campaign_id_vin_fkey'],
  ['campaign_vehicles', 'campaign_vehicles_campaign_id_fkey'],
  ['campaign_vehicles', 'campaign_vehicles_vin_fkey'],
  ['campaign_ecus', 'campaign_ecus_campaign_id_vin_fkey'],
  ['campaign_ecus', 'campaign_ecus_release_id_fkey'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, constraint] of DROPPED)
    await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.ref(constraint)}`.execute(db);
}
