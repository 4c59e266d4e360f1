import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { appendAudit, SYSTEM_ACTOR } from '../audit/service.ts';
import { notFound } from '../http/problem.ts';
import { ACTIVE_VEHICLE_STATES, FAILED_VEHICLE_STATES, WAITING_VEHICLE_STATES } from './states.ts';
import { countIn, vehicleCounts } from './vehicle-counts.ts';
import { compactVehicleCounts, moveVehiclesCounted, selectedMoves } from './vehicle-moves.ts';

export interface WaveFigures {
  waveNo: number;
  cumulativePercent: number;
  successThreshold: number;
  errorThreshold: number;
  soakMinutes: number;
  startedAt: string | null;
  successReachedAt: string | null;
  total: number;
  byState: Record<string, number>;
  succeeded: number;
  failed: number;
  /** Vehicles in a final state. */
  finished: number;
  successRate: number;
  failureRate: number;
}

export interface CampaignProgress {
  campaignId: number;
  state: string;
  currentWave: number | null;
  total: number;
  byState: Record<string, number>;
  waves: WaveFigures[];
}

/** Per-wave and overall figures, read from the state counts (a few rows, whatever the campaign's size). */
export async function campaignProgress(db: Db, campaignId: number): Promise<CampaignProgress> {
  const campaign = await db
    .selectFrom('campaigns')
    .select(['id', 'state', 'current_wave'])
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (!campaign) throw notFound('campaign', campaignId);
  const waves = await db
    .selectFrom('campaign_waves')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('wave_no')
    .execute();
  const counts = await vehicleCounts(db, [campaignId]);
  const byState: Record<string, number> = {};
  const figures = waves.map((w): WaveFigures => {
    const mine = counts.filter((c) => c.waveNo === w.wave_no);
    const states: Record<string, number> = {};
    for (const c of mine) states[c.state] = c.n;
    const total = countIn(mine);
    const succeeded = states.succeeded ?? 0;
    const failed = countIn(mine, FAILED_VEHICLE_STATES);
    const active = countIn(mine, ACTIVE_VEHICLE_STATES);
    return {
      waveNo: w.wave_no,
      cumulativePercent: Number(w.cumulative_percent),
      successThreshold: Number(w.success_threshold),
      errorThreshold: Number(w.error_threshold),
      soakMinutes: w.soak_minutes,
      startedAt: w.started_at?.toISOString() ?? null,
      successReachedAt: w.success_reached_at?.toISOString() ?? null,
      total,
      byState: states,
      succeeded,
      failed,
      finished: total - active,
      successRate: total === 0 ? 1 : succeeded / total,
      failureRate: total === 0 ? 0 : failed / total,
    };
  });
  for (const c of counts) byState[c.state] = (byState[c.state] ?? 0) + c.n;
  return {
    campaignId,
    state: campaign.state,
    currentWave: campaign.current_wave,
    total: countIn(counts),
    byState,
    waves: figures,
  };
}

export type WaveDecision =
  | { action: 'none'; reason: string }
  | { action: 'paused'; waveNo: number; failureRate: number }
  | { action: 'success_reached'; waveNo: number }
  | { action: 'advanced'; fromWave: number; toWave: number }
  | { action: 'completed' }
  | { action: 'expired'; vehicles: number };

/**
 * Applies the rollout rules to a running campaign: vehicles not yet installing when the campaign
 * deadline passes expire; a wave whose failure rate exceeds its error threshold pauses the campaign;
 * a wave at its success threshold records when, and once its soak time has passed the next wave
 * starts; after the last wave, when every vehicle is final, the campaign completes.
 * Changes are audited as the system. Call it after report batches and periodically.
 */
export async function evaluateCampaign(db: Db, campaignId: number, now: Date = new Date()): Promise<WaveDecision> {
  return db.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('campaigns').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirst();
    if (!c) throw notFound('campaign', campaignId);
    if (c.state !== 'running' || c.current_wave === null) return { action: 'none', reason: `campaign is ${c.state}` };
    const audit = (action: string, details: unknown) =>
      appendAudit(trx, { actor: SYSTEM_ACTOR, action, entityType: 'campaign', entityId: campaignId, details });

    if (c.deadline_at && c.deadline_at.getTime() < now.getTime()) {
      const n = await moveVehiclesCounted(
        trx,
        selectedMoves(
          sql`SELECT campaign_id, vin FROM campaign_vehicles WHERE campaign_id = ${campaignId} AND state = ANY(${WAITING_VEHICLE_STATES}::text[])`,
          'expired',
          now,
        ),
      );
      if (n > 0) {
        await audit('campaign.vehicles_expired', { vehicles: n, deadline: c.deadline_at.toISOString() });
        return { action: 'expired', vehicles: n };
      }
    }

    const waveNo = c.current_wave;
    const s = await trx
      .selectFrom('campaign_waves')
      .select(['success_threshold', 'error_threshold', 'soak_minutes', 'success_reached_at'])
      .select((eb) =>
        eb
          .selectFrom('campaign_waves as last')
          .select((e) => e.fn.max('last.wave_no').as('n'))
          .where('last.campaign_id', '=', campaignId)
          .as('last_wave'),
      )
      .where('campaign_id', '=', campaignId)
      .where('wave_no', '=', waveNo)
      .executeTakeFirst();
    if (!s) return { action: 'none', reason: `wave ${waveNo} does not exist` };
    // The counts, not the vehicles: a few rows whatever the wave's size (folded first so they stay few).
    await compactVehicleCounts(trx, campaignId);
    const counts = await vehicleCounts(trx, [campaignId]);
    const wave = counts.filter((n) => n.waveNo === waveNo);
    const total = countIn(wave);
    const failed = countIn(wave, FAILED_VEHICLE_STATES);
    const succeeded = countIn(wave, ['succeeded']);
    const remainingAll = countIn(counts, ACTIVE_VEHICLE_STATES);
    const failureRate = total === 0 ? 0 : failed / total;
    const successRate = total === 0 ? 1 : succeeded / total;

    if (failureRate > Number(s.error_threshold)) {
      await trx
        .updateTable('campaigns')
        .set({ state: 'paused', updated_at: now })
        .where('id', '=', campaignId)
        .execute();
      await audit('campaign.auto_pause', {
        waveNo,
        failureRate,
        errorThreshold: Number(s.error_threshold),
        failed,
        total,
      });
      return { action: 'paused', waveNo, failureRate };
    }
    if (waveNo === s.last_wave) {
      if (remainingAll === 0) {
        await trx
          .updateTable('campaigns')
          .set({ state: 'completed', finished_at: now, updated_at: now })
          .where('id', '=', campaignId)
          .execute();
        await audit('campaign.completed', { waveNo, successRate });
        return { action: 'completed' };
      }
      return { action: 'none', reason: `last wave ${waveNo} still has vehicles in progress` };
    }
    if (successRate < Number(s.success_threshold)) {
      return { action: 'none', reason: `wave ${waveNo} at ${(successRate * 100).toFixed(1)} % success` };
    }
    if (!s.success_reached_at) {
      await trx
        .updateTable('campaign_waves')
        .set({ success_reached_at: now })
        .where('campaign_id', '=', campaignId)
        .where('wave_no', '=', waveNo)
        .execute();
      await audit('campaign.wave_success', { waveNo, successRate });
      if (s.soak_minutes > 0) return { action: 'success_reached', waveNo };
    }
    const reachedAt = s.success_reached_at ?? now;
    if (now.getTime() - reachedAt.getTime() < s.soak_minutes * 60_000) {
      return {
        action: 'none',
        reason: `wave ${waveNo} soaking until ${new Date(reachedAt.getTime() + s.soak_minutes * 60_000).toISOString()}`,
      };
    }
    const next = waveNo + 1;
    await trx
      .updateTable('campaigns')
      .set({ current_wave: next, updated_at: now })
      .where('id', '=', campaignId)
      .execute();
    await trx
      .updateTable('campaign_waves')
      .set({ started_at: now })
      .where('campaign_id', '=', campaignId)
      .where('wave_no', '=', next)
      .execute();
    await audit('campaign.wave_started', { fromWave: waveNo, toWave: next });
    return { action: 'advanced', fromWave: waveNo, toWave: next };
  });
}

/**
 * Vehicles the delivery side may offer now: pending, in a wave already started, of a running
 * campaign. Ordered by VIN after `afterVin`, so callers page through without holding them all.
 */
export async function dispatchableVehicles(
  db: Db,
  campaignId: number,
  limit: number,
  afterVin = '',
): Promise<string[]> {
  const rows = await db
    .selectFrom('campaign_vehicles as cv')
    .innerJoin('campaigns as c', 'c.id', 'cv.campaign_id')
    .select('cv.vin')
    .where('cv.campaign_id', '=', campaignId)
    .where('c.state', '=', 'running')
    .where('cv.state', '=', 'pending')
    .where((eb) => eb('cv.wave_no', '<=', eb.ref('c.current_wave')))
    .where('cv.vin', '>', afterVin)
    .orderBy('cv.vin')
    .limit(limit)
    .execute();
  return rows.map((r) => r.vin);
}
