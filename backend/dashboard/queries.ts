import { sql } from 'kysely';
import { FAILED_VEHICLE_STATES } from '../campaigns/states.ts';
import { isTargetVehicle } from '../campaigns/targeting.ts';
import { vehicleCounts } from '../campaigns/vehicle-counts.ts';
import type { Db } from '../db/database.ts';
import type { CampaignState, TargetFilter, VehicleCampaignState } from '../campaigns/types.ts';

// Read-only queries the dashboard needs and the domain services do not offer (yet). Everything that
// changes state goes through the services.

export interface VehicleCampaignEntry {
  campaignId: number;
  campaignName: string;
  campaignState: CampaignState;
  state: VehicleCampaignState;
  stateChangedAt: Date;
  error: string | null;
}

/** The campaigns a vehicle took part in, newest first. */
export async function campaignsOfVehicle(db: Db, vin: string, limit = 50): Promise<VehicleCampaignEntry[]> {
  const rows = await db
    .selectFrom('campaign_vehicles as cv')
    .innerJoin('campaigns as c', 'c.id', 'cv.campaign_id')
    .select(['c.id', 'c.name', 'c.state as campaign_state', 'cv.state', 'cv.state_changed_at', 'cv.error'])
    .where('cv.vin', '=', vin)
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    campaignId: r.id,
    campaignName: r.name,
    campaignState: r.campaign_state,
    state: r.state,
    stateChangedAt: r.state_changed_at,
    error: r.error,
  }));
}

/** Vehicles of a campaign per wave and state, from the state counts (never loaded, never counted). */
export async function vehicleStateCounts(
  db: Db,
  campaignId: number,
): Promise<{ waveNo: number; state: VehicleCampaignState; n: number }[]> {
  return (await vehicleCounts(db, [campaignId])).map(({ waveNo, state, n }) => ({ waveNo, state, n }));
}

export interface StateTimeline {
  /** Bucket start times, seconds since the epoch (uPlot's x axis). */
  times: number[];
  /** For each state, the number of vehicles in it at the end of each bucket. */
  counts: Partial<Record<VehicleCampaignState, number[]>>;
}

/**
 * How many vehicles were in each state over time, from the campaign's state-change events. The
 * database sums the changes per time bucket; the counts at any moment are the current counts minus
 * the changes after it, so no assumption is needed about how vehicles entered the campaign.
 */
export async function stateTimeline(db: Db, campaignId: number, now: Date, maxBuckets = 120): Promise<StateTimeline> {
  const first = await db
    .selectFrom('campaign_vehicle_events')
    .select((eb) => eb.fn.min('at').as('first'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  const current = await vehicleStateCounts(db, campaignId);
  const totals = new Map<VehicleCampaignState, number>();
  for (const r of current) totals.set(r.state, (totals.get(r.state) ?? 0) + r.n);
  const start = first?.first ? new Date(first.first).getTime() : now.getTime();
  const end = Math.max(now.getTime(), start + 1000);
  const stepMs = Math.max(1000, Math.ceil((end - start) / maxBuckets / 1000) * 1000);
  const bucketCount = Math.floor((end - start) / stepMs) + 1;
  const deltas = await sql<{ bucket: number; state: VehicleCampaignState; delta: string }>`
    SELECT bucket, state, sum(delta)::bigint AS delta FROM (
      SELECT floor(extract(epoch FROM at - ${new Date(start)}::timestamptz) * 1000 / ${stepMs})::int AS bucket,
             to_state AS state, 1 AS delta
      FROM campaign_vehicle_events WHERE campaign_id = ${campaignId}
      UNION ALL
      SELECT floor(extract(epoch FROM at - ${new Date(start)}::timestamptz) * 1000 / ${stepMs})::int,
             from_state, -1
      FROM campaign_vehicle_events WHERE campaign_id = ${campaignId}
    ) d GROUP BY bucket, state`.execute(db);
  const byBucket = new Map<number, Map<VehicleCampaignState, number>>();
  for (const row of deltas.rows) {
    const b = Math.min(Math.max(row.bucket, 0), bucketCount - 1);
    const m = byBucket.get(b) ?? new Map<VehicleCampaignState, number>();
    m.set(row.state, (m.get(row.state) ?? 0) + Number(row.delta));
    byBucket.set(b, m);
  }
  const states = new Set<VehicleCampaignState>([
    ...totals.keys(),
    ...[...byBucket.values()].flatMap((m) => [...m.keys()]),
  ]);
  const times = Array.from({ length: bucketCount }, (_, i) => Math.floor((start + (i + 1) * stepMs) / 1000));
  const counts: Partial<Record<VehicleCampaignState, number[]>> = {};
  for (const state of states) {
    // Walk backwards from the current count, undoing each bucket's changes.
    const series = new Array<number>(bucketCount);
    let level = totals.get(state) ?? 0;
    for (let i = bucketCount - 1; i >= 0; i -= 1) {
      series[i] = level;
      level -= byBucket.get(i)?.get(state) ?? 0;
    }
    counts[state] = series;
  }
  times[bucketCount - 1] = Math.floor(end / 1000);
  return { times, counts };
}

export interface FailureGroup {
  key: string;
  n: number;
}

/** Failed ECU updates of a campaign grouped by hardware id and by negative response code. */
export async function failureReasons(
  db: Db,
  campaignId: number,
): Promise<{ byEcu: FailureGroup[]; byNrc: FailureGroup[]; byError: FailureGroup[] }> {
  const failed = () =>
    db
      .selectFrom('campaign_ecus')
      .where('campaign_id', '=', campaignId)
      .where('result', 'in', ['failed', 'rollback_failed']);
  const [byEcu, byNrc, byError] = await Promise.all([
    failed()
      .select(['hardware_id as key', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('hardware_id')
      .orderBy('n', 'desc')
      .limit(20)
      .execute(),
    failed()
      .select([
        sql<string>`coalesce(nrc, 'none (no negative response)')`.as('key'),
        (eb) => eb.fn.countAll<string>().as('n'),
      ])
      .groupBy('nrc')
      .orderBy('n', 'desc')
      .limit(20)
      .execute(),
    db
      .selectFrom('campaign_vehicles')
      .select([sql<string>`coalesce(error, 'no error recorded')`.as('key'), (eb) => eb.fn.countAll<string>().as('n')])
      .where('campaign_id', '=', campaignId)
      .where('state', 'in', FAILED_VEHICLE_STATES)
      .groupBy('error')
      .orderBy('n', 'desc')
      .limit(20)
      .execute(),
  ]);
  const toGroups = (rows: { key: string; n: string }[]) => rows.map((r) => ({ key: r.key, n: Number(r.n) }));
  return { byEcu: toGroups(byEcu), byNrc: toGroups(byNrc), byError: toGroups(byError) };
}

/** Display names of users by id (the users list is an admin page; the dashboard only needs names). */
export async function userNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * How many vehicles a draft's target filter would reach with these releases, for the live count on
 * the campaign form: the same condition campaigns/targeting.ts resolves a campaign with.
 */
export async function countTargets(db: Db, filter: TargetFilter, releaseIds: number[]): Promise<number> {
  const row = await db
    .selectFrom('vehicles as v')
    .innerJoin('vehicle_models as m', 'm.id', 'v.model_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where(isTargetVehicle(filter, { releaseIds }))
    .executeTakeFirstOrThrow();
  return row.n;
}
