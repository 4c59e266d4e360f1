import type { Db } from '../../db/database.ts';
import { VEHICLE_STATE_RANK } from '../../campaigns/states.ts';
import { listedMoves, moveVehiclesCounted } from '../../campaigns/vehicle-moves.ts';

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
  db: Db,
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
  return moveVehiclesCounted(
    db,
    listedMoves(list.map((r) => ({ campaignId: r.campaignId, vin: r.vin, to: r.state, at: now }))),
  );
}
