import { sql } from 'kysely';
import type { DeliveryDb } from '../schema.ts';
import { LEGAL_VEHICLE_MOVES } from '../../campaigns/legal-moves-sql.ts';
import { VEHICLE_STATE_RANK } from '../../campaigns/states.ts';

export interface ProgressReport {
  readonly vin: string;
  readonly campaignId: number;
  readonly state: 'downloading' | 'downloaded' | 'installing';
}

/**
 * Moves vehicles forward (offered -> downloading -> downloaded -> installing) along the domain's legal
 * moves only (VEHICLE_TRANSITIONS: never back, never out of a final state, never before an offer),
 * so a duplicate or late progress report changes nothing.
 */
export async function applyProgress(
  db: DeliveryDb,
  reports: readonly ProgressReport[],
  now: Date = new Date(),
): Promise<number> {
  const furthest = new Map<string, ProgressReport>();
  for (const r of reports) {
    const key = `${r.vin}/${r.campaignId}`;
    const seen = furthest.get(key);
    if (!seen || VEHICLE_STATE_RANK[r.state] > VEHICLE_STATE_RANK[seen.state]) furthest.set(key, r);
  }
  const list = [...furthest.values()];
  if (list.length === 0) return 0;
  const moved = await sql<{ vin: string }>`
    WITH legal AS (${LEGAL_VEHICLE_MOVES}), u AS (
      SELECT * FROM unnest(${list.map((r) => r.vin)}::text[], ${list.map((r) => r.campaignId)}::int[], ${list.map((r) => r.state)}::text[])
        AS u(vin, campaign_id, state)
    ), old AS (
      SELECT cv.campaign_id, cv.vin, cv.state, u.state AS new_state
      FROM campaign_vehicles cv
      JOIN u ON cv.campaign_id = u.campaign_id AND cv.vin = u.vin
      JOIN legal ON legal.from_state = cv.state AND legal.to_state = u.state
      FOR UPDATE OF cv
    ), upd AS (
      UPDATE campaign_vehicles cv SET state = old.new_state, state_changed_at = ${now}
      FROM old WHERE cv.campaign_id = old.campaign_id AND cv.vin = old.vin
      RETURNING cv.vin
    ), events AS (
      INSERT INTO campaign_vehicle_events (campaign_id, vin, from_state, to_state, at)
      SELECT campaign_id, vin, state, new_state, ${now} FROM old
    )
    SELECT vin FROM upd`.execute(db);
  return moved.rows.length;
}
