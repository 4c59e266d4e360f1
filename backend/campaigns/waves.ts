import type { Transaction, Updateable } from 'kysely';
import { lockForTransaction, lockKeys, tryLockForTransaction } from '../db/advisory-lock.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { CampaignsTable, CampaignWavesTable } from './tables.ts';
import { applyAudited } from '../audit/audited-change.ts';
import { appendAudit, SYSTEM_ACTOR } from '../audit/service.ts';
import { notFound } from '../http/problem.ts';
import { ACTIVE_VEHICLE_STATES, FAILED_VEHICLE_STATES } from './states.ts';
import { countIn, vehicleCounts } from './vehicle-counts.ts';
import { compactVehicleCounts, moveWaitingVehicles } from './vehicle-moves.ts';
import { deadlinePassed, failureRate, successRate, waveVerdict } from './wave-rules.ts';
import type { WaveConfig, WaveCounts, WaveVerdict } from './wave-rules.ts';

type Trx = Transaction<Database>;

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
      successRate: successRate({ total, succeeded }),
      failureRate: failureRate({ total, failed }),
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
 * Applies the rollout rules (wave-rules.ts) to a running campaign: vehicles not yet installing when
 * the campaign deadline passes expire; then the current wave's verdict, decided from its counts, its
 * configuration and the clock, is applied. Changes are audited as the system. Waits for an
 * evaluation of the campaign under way elsewhere (the evaluation lock), so two never overlap.
 */
export async function evaluateCampaign(db: Db, campaignId: number, now: Date = new Date()): Promise<WaveDecision> {
  return db.transaction().execute(async (trx) => {
    await lockForTransaction(trx, lockKeys.campaignWaveEvaluation(campaignId));
    return evaluateLocked(trx, campaignId, now);
  });
}

/**
 * evaluateCampaign, unless an evaluation of the campaign is under way (in any backend instance):
 * then nothing is done and `busy` is returned, for the caller to try again once that one is over.
 */
export async function evaluateCampaignUnlessBusy(
  db: Db,
  campaignId: number,
  now: Date = new Date(),
): Promise<WaveDecision | 'busy'> {
  return db.transaction().execute(async (trx) => {
    const got = await tryLockForTransaction(trx, lockKeys.campaignWaveEvaluation(campaignId));
    return got ? evaluateLocked(trx, campaignId, now) : 'busy';
  });
}

/** The evaluation itself, in a transaction holding the campaign's evaluation lock. */
async function evaluateLocked(trx: Trx, campaignId: number, now: Date): Promise<WaveDecision> {
  // NO KEY UPDATE: serialises with other changes of the campaign, but not with the foreign-key
  // checks of report writes (KEY SHARE on this row), which FOR UPDATE would hold up.
  const c = await trx
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', campaignId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!c) throw notFound('campaign', campaignId);
  if (c.state !== 'running' || c.current_wave === null) return { action: 'none', reason: `campaign is ${c.state}` };
  if (deadlinePassed(c.deadline_at, now)) {
    const vehicles = await expireWaitingVehicles(trx, campaignId, c.deadline_at, now);
    if (vehicles > 0) return { action: 'expired', vehicles };
  }
  const wave = await readWaveConfig(trx, campaignId, c.current_wave);
  if (!wave) return { action: 'none', reason: `wave ${c.current_wave} does not exist` };
  const counts = await readWaveCounts(trx, campaignId, wave.waveNo);
  return applyVerdict(trx, campaignId, waveVerdict(counts, wave, now), now);
}

const campaignEntity = (campaignId: number) => ({ entityType: 'campaign', entityId: campaignId });

/** A change the rollout rules make to a campaign, audited as the system. */
async function ruleChange(trx: Trx, campaignId: number, action: string, details: unknown, apply: () => Promise<void>) {
  await applyAudited(
    trx,
    { actor: SYSTEM_ACTOR, action, ...campaignEntity(campaignId) },
    { apply, details: () => details },
  );
}

/** Past the deadline, vehicles not yet downloading expire; returns how many did. */
async function expireWaitingVehicles(trx: Trx, campaignId: number, deadline: Date, now: Date): Promise<number> {
  const n = await moveWaitingVehicles(trx, { campaignId }, 'expired', now);
  if (n > 0) {
    const details = { vehicles: n, deadline: deadline.toISOString() };
    await appendAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'campaign.vehicles_expired',
      ...campaignEntity(campaignId),
      details,
    });
  }
  return n;
}

async function readWaveConfig(trx: Trx, campaignId: number, waveNo: number): Promise<WaveConfig | undefined> {
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
  if (!s) return undefined;
  return {
    waveNo,
    isLast: waveNo === s.last_wave,
    successThreshold: Number(s.success_threshold),
    errorThreshold: Number(s.error_threshold),
    soakMinutes: s.soak_minutes,
    successReachedAt: s.success_reached_at,
  };
}

/** The counts, not the vehicles: a few rows whatever the wave's size (folded first so they stay few). */
async function readWaveCounts(trx: Trx, campaignId: number, waveNo: number): Promise<WaveCounts> {
  await compactVehicleCounts(trx, campaignId);
  const counts = await vehicleCounts(trx, [campaignId]);
  const wave = counts.filter((n) => n.waveNo === waveNo);
  return {
    total: countIn(wave),
    succeeded: countIn(wave, ['succeeded']),
    failed: countIn(wave, FAILED_VEHICLE_STATES),
    activeInCampaign: countIn(counts, ACTIVE_VEHICLE_STATES),
  };
}

async function setCampaign(trx: Trx, campaignId: number, set: Updateable<CampaignsTable>): Promise<void> {
  await trx.updateTable('campaigns').set(set).where('id', '=', campaignId).execute();
}

export async function setWave(trx: Trx, campaignId: number, waveNo: number, set: Updateable<CampaignWavesTable>) {
  await trx
    .updateTable('campaign_waves')
    .set(set)
    .where('campaign_id', '=', campaignId)
    .where('wave_no', '=', waveNo)
    .execute();
}

/** Records that a wave reached its success threshold. */
async function markWaveSuccess(trx: Trx, campaignId: number, waveNo: number, successRate: number, now: Date) {
  await ruleChange(trx, campaignId, 'campaign.wave_success', { waveNo, successRate }, () =>
    setWave(trx, campaignId, waveNo, { success_reached_at: now }),
  );
}

/** Applies what the rules decided: the writes and their audit entries, in the caller's transaction. */
async function applyVerdict(trx: Trx, campaignId: number, v: WaveVerdict, now: Date): Promise<WaveDecision> {
  switch (v.verdict) {
    case 'wait':
      return { action: 'none', reason: v.reason };
    case 'pause': {
      const { waveNo, failureRate, errorThreshold, failed, total } = v;
      const details = { waveNo, failureRate, errorThreshold, failed, total };
      await ruleChange(trx, campaignId, 'campaign.auto_pause', details, () =>
        setCampaign(trx, campaignId, { state: 'paused', updated_at: now }),
      );
      return { action: 'paused', waveNo, failureRate };
    }
    case 'complete':
      await ruleChange(trx, campaignId, 'campaign.completed', { waveNo: v.waveNo, successRate: v.successRate }, () =>
        setCampaign(trx, campaignId, { state: 'completed', finished_at: now, updated_at: now }),
      );
      return { action: 'completed' };
    case 'soak':
      await markWaveSuccess(trx, campaignId, v.waveNo, v.successRate, now);
      return { action: 'success_reached', waveNo: v.waveNo };
    case 'advance': {
      const { fromWave, toWave } = v;
      if (v.successRate !== null) await markWaveSuccess(trx, campaignId, fromWave, v.successRate, now);
      await ruleChange(trx, campaignId, 'campaign.wave_started', { fromWave, toWave }, async () => {
        await setCampaign(trx, campaignId, { current_wave: toWave, updated_at: now });
        await setWave(trx, campaignId, toWave, { started_at: now });
      });
      return { action: 'advanced', fromWave, toWave };
    }
  }
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
