// Reading the per-wave vehicle state counts that vehicle-moves.ts keeps (a ledger of signed deltas,
// see migrations/0110_vehicle_state_counts.ts): a few rows per campaign, whatever its size.
import { sql } from 'kysely';
import type { QueryExecutorProvider } from 'kysely';
import type { VehicleCampaignState } from './types.ts';

export interface WaveStateCount {
  readonly campaignId: number;
  readonly waveNo: number;
  readonly state: VehicleCampaignState;
  readonly n: number;
}

/** The vehicles per wave and state of the given campaigns (states with none are left out), in one query. */
export async function vehicleCounts(
  db: QueryExecutorProvider,
  campaignIds: readonly number[],
): Promise<WaveStateCount[]> {
  if (campaignIds.length === 0) return [];
  const rows = await sql<{ campaign_id: number; wave_no: number; state: VehicleCampaignState; n: number }>`
    SELECT campaign_id, wave_no, state, sum(n)::int AS n FROM campaign_vehicle_counts
    WHERE campaign_id = ANY(${[...campaignIds]}::int[])
    GROUP BY campaign_id, wave_no, state HAVING sum(n) <> 0
    ORDER BY campaign_id, wave_no, state`.execute(db);
  return rows.rows.map((r) => ({ campaignId: r.campaign_id, waveNo: r.wave_no, state: r.state, n: r.n }));
}

/** How many of `counts` are in one of `states` (all states when absent). */
export function countIn(counts: readonly WaveStateCount[], states?: readonly VehicleCampaignState[]): number {
  return counts.reduce((sum, c) => sum + (states === undefined || states.includes(c.state) ? c.n : 0), 0);
}
