import type { Selectable, Transaction, Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { CampaignKind, CampaignState, InstallPolicy, TargetFilter } from './types.ts';
import type { CampaignsTable, CampaignWavesTable } from './tables.ts';
import type { Database } from '../db/schema.ts';
import { appendAudit } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import { transitionAudited } from '../audit/audited-change.ts';
import { invalid, notFound, ProblemError } from '../http/problem.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import type { Page, PageQuery } from '../http/pagination.ts';
import { CAMPAIGN_READY_STATES } from '../releases/lifecycle.ts';
import { DELIVERY_CLASSES } from '../vulnerabilities/deadline-policy.ts';
import { campaignMove, checkFourEyes, checkNothingInFlight, noTargets } from './action-rules.ts';
import { IN_FLIGHT_VEHICLE_STATES } from './states.ts';
import { countIn, vehicleCounts } from './vehicle-counts.ts';
import { moveWaitingVehicles } from './vehicle-moves.ts';
import type { CampaignAction } from './states.ts';
import { clearTargets, resolveTargets } from './targeting.ts';
import { setWave } from './waves.ts';

export interface WavePlan {
  cumulativePercent: number;
  successThreshold: number;
  errorThreshold: number;
  soakMinutes: number;
}

export const DEFAULT_WAVES: WavePlan[] = [1, 10, 50, 100].map((p) => ({
  cumulativePercent: p,
  successThreshold: 0.95,
  errorThreshold: 0.05,
  soakMinutes: 60,
}));

export interface CampaignInput {
  name: string;
  kind: CampaignKind;
  releaseIds: number[];
  vulnerabilityIds: number[];
  targetFilter: TargetFilter;
  installPolicy: InstallPolicy;
  waves: WavePlan[];
  pacingPerMinute: number;
  /** Used only when no vulnerability is linked; otherwise priority and deadline come from the policy. */
  priority?: (typeof DELIVERY_CLASSES)[number] | undefined;
  deadlineAt?: string | null | undefined;
}

export interface Campaign {
  id: number;
  name: string;
  kind: CampaignKind;
  state: CampaignState;
  priority: string;
  deadlineAt: string | null;
  targetFilter: TargetFilter;
  installPolicy: InstallPolicy;
  pacingPerMinute: number;
  currentWave: number | null;
  releaseIds: number[];
  vulnerabilityIds: number[];
  waves: WavePlan[];
  targetedVehicles: number;
  createdBy: number;
  approvedBy: number | null;
  approvedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

type CampaignRow = Selectable<CampaignsTable>;

export async function loadCampaign(db: Db, id: number): Promise<Campaign> {
  const c = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('campaign', id);
  const [campaign] = await toCampaigns(db, [c]);
  return campaign as Campaign;
}

/**
 * Campaigns with their releases, vulnerabilities, waves and vehicle count: four queries whatever
 * the number of campaigns, the count read from the state counts (a few rows per campaign).
 */
async function toCampaigns(db: Db, rows: readonly CampaignRow[]): Promise<Campaign[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((c) => c.id);
  const [releases, vulns, waves, counts] = await Promise.all([
    db
      .selectFrom('campaign_releases')
      .select(['campaign_id', 'release_id'])
      .where('campaign_id', 'in', ids)
      .orderBy('release_id')
      .execute(),
    db
      .selectFrom('campaign_vulnerabilities')
      .select(['campaign_id', 'vulnerability_id'])
      .where('campaign_id', 'in', ids)
      .orderBy('vulnerability_id')
      .execute(),
    db.selectFrom('campaign_waves').selectAll().where('campaign_id', 'in', ids).orderBy('wave_no').execute(),
    vehicleCounts(db, ids),
  ]);
  return rows.map((c) =>
    toCampaign(c, {
      releases: releases.filter((r) => r.campaign_id === c.id),
      vulns: vulns.filter((v) => v.campaign_id === c.id),
      waves: waves.filter((w) => w.campaign_id === c.id),
      targeted: countIn(counts.filter((n) => n.campaignId === c.id)),
    }),
  );
}

function toCampaign(
  c: CampaignRow,
  parts: {
    releases: { release_id: number }[];
    vulns: { vulnerability_id: number }[];
    waves: Selectable<CampaignWavesTable>[];
    targeted: number;
  },
): Campaign {
  const { releases, vulns, waves } = parts;
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    state: c.state,
    priority: c.priority,
    deadlineAt: c.deadline_at?.toISOString() ?? null,
    targetFilter: c.target_filter,
    installPolicy: c.install_policy,
    pacingPerMinute: c.pacing_per_minute,
    currentWave: c.current_wave,
    releaseIds: releases.map((r) => r.release_id),
    vulnerabilityIds: vulns.map((v) => v.vulnerability_id),
    waves: waves.map((w) => ({
      cumulativePercent: Number(w.cumulative_percent),
      successThreshold: Number(w.success_threshold),
      errorThreshold: Number(w.error_threshold),
      soakMinutes: w.soak_minutes,
    })),
    targetedVehicles: parts.targeted,
    createdBy: c.created_by,
    approvedBy: c.approved_by,
    approvedAt: c.approved_at?.toISOString() ?? null,
    startedAt: c.started_at?.toISOString() ?? null,
    finishedAt: c.finished_at?.toISOString() ?? null,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

/** Waves: strictly increasing cumulative percentages ending at 100. */
export function checkWaves(waves: WavePlan[]): void {
  if (waves.length === 0) throw invalid('json.waves', 'at least one wave');
  waves.forEach((w, i) => {
    const prev = i === 0 ? 0 : (waves[i - 1]?.cumulativePercent ?? 0);
    if (w.cumulativePercent <= prev)
      throw invalid(`json.waves.${i}.cumulativePercent`, 'must increase from wave to wave');
  });
  if (waves.at(-1)?.cumulativePercent !== 100) {
    throw invalid(`json.waves.${waves.length - 1}.cumulativePercent`, 'the last wave must reach 100 %');
  }
}

/** Linked releases must be authorized or effective, one per hardware id. */
async function checkReleases(
  trx: Transaction<Database>,
  releaseIds: number[],
  field = 'json.releaseIds',
): Promise<void> {
  if (releaseIds.length === 0) throw invalid(field, 'at least one release');
  const rows = await trx
    .selectFrom('releases')
    .select(['id', 'state', 'hardware_id'])
    .where('id', 'in', releaseIds)
    .execute();
  for (const id of releaseIds) {
    const r = rows.find((x) => x.id === id);
    if (!r) throw invalid(field, `release ${id} does not exist`);
    if (!CAMPAIGN_READY_STATES.includes(r.state)) {
      throw new ProblemError(
        409,
        'release-not-authorized',
        'Release not authorized',
        `release ${id} is ${r.state}; only authorized or effective releases go into a campaign`,
      );
    }
  }
  const hardware = rows.map((r) => r.hardware_id);
  if (new Set(hardware).size !== hardware.length) throw invalid(field, 'at most one release per hardware id');
}

/** Priority and deadline from the linked vulnerabilities' delivery classes (the most urgent, the earliest). */
async function priorityAndDeadline(
  trx: Transaction<Database>,
  input: CampaignInput,
): Promise<{ priority: string; deadline: Date | null }> {
  if (input.vulnerabilityIds.length === 0) {
    return { priority: input.priority ?? 'scheduled', deadline: input.deadlineAt ? new Date(input.deadlineAt) : null };
  }
  const vulns = await trx
    .selectFrom('vulnerabilities')
    .select(['id', 'delivery_class', 'deadline_at', 'phase'])
    .where('id', 'in', input.vulnerabilityIds)
    .execute();
  for (const id of input.vulnerabilityIds) {
    const v = vulns.find((x) => x.id === id);
    if (!v) throw invalid('json.vulnerabilityIds', `vulnerability ${id} does not exist`);
    if (!v.delivery_class || !v.deadline_at) {
      throw invalid('json.vulnerabilityIds', `vulnerability ${id} has no assessment yet, so no delivery deadline`);
    }
  }
  const rank = (cls: string | null) =>
    DELIVERY_CLASSES.indexOf((cls ?? 'scheduled') as (typeof DELIVERY_CLASSES)[number]);
  const best = vulns.reduce((a, b) => (rank(b.delivery_class) < rank(a.delivery_class) ? b : a));
  const deadline = vulns.reduce<Date | null>(
    (d, v) => (v.deadline_at && (!d || v.deadline_at < d) ? v.deadline_at : d),
    null,
  );
  return { priority: best.delivery_class ?? 'scheduled', deadline };
}

export async function createCampaign(db: Db, actor: Actor, input: CampaignInput): Promise<Campaign> {
  checkWaves(input.waves);
  return db.transaction().execute(async (trx) => {
    await checkReleases(trx, input.releaseIds);
    const { priority, deadline } = await priorityAndDeadline(trx, input);
    const row = await trx
      .insertInto('campaigns')
      .values({
        name: input.name,
        kind: input.kind,
        priority,
        deadline_at: deadline,
        target_filter: JSON.stringify(input.targetFilter),
        install_policy: JSON.stringify(input.installPolicy),
        pacing_per_minute: input.pacingPerMinute,
        created_by: actor.userId ?? 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('campaign_releases')
      .values([...new Set(input.releaseIds)].map((r) => ({ campaign_id: row.id, release_id: r })))
      .execute();
    if (input.vulnerabilityIds.length > 0) {
      await trx
        .insertInto('campaign_vulnerabilities')
        .values([...new Set(input.vulnerabilityIds)].map((v) => ({ campaign_id: row.id, vulnerability_id: v })))
        .execute();
    }
    await trx
      .insertInto('campaign_waves')
      .values(
        input.waves.map((w, i) => ({
          campaign_id: row.id,
          wave_no: i + 1,
          cumulative_percent: w.cumulativePercent,
          success_threshold: w.successThreshold,
          error_threshold: w.errorThreshold,
          soak_minutes: w.soakMinutes,
        })),
      )
      .execute();
    const after = await loadCampaign(trx, row.id);
    await appendAudit(trx, { actor, action: 'campaign.create', entityType: 'campaign', entityId: row.id, after });
    return after;
  });
}

export interface CampaignTransition {
  action: CampaignAction;
  reason: string;
}

/**
 * Applies a campaign action when legal from the current state. Submitting resolves the targets and
 * assigns waves in SQL; approving enforces four-eyes (approver is not the creator) and re-checks the
 * releases; starting opens wave 1; cancelling cancels every vehicle not yet downloading; completing
 * needs no vehicle in flight and cancels those never offered.
 */
export async function transitionCampaign(
  db: Db,
  actor: Actor,
  id: number,
  change: CampaignTransition,
  now: Date = new Date(),
): Promise<Campaign> {
  return db.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('campaigns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!c) throw notFound('campaign', id);
    const move = campaignMove(id, change.action, c.state);
    let details: Record<string, unknown> = {};
    const head = {
      actor,
      action: `campaign.${change.action}`,
      entityType: 'campaign',
      entityId: id,
      reason: change.reason,
    };
    return transitionAudited(trx, move, head, {
      before: { state: c.state },
      apply: async () => {
        const effect = await applyActionEffects(trx, actor, c, change.action, now);
        details = effect.details;
        await trx
          .updateTable('campaigns')
          .set({ ...effect.set, state: move.to, updated_at: now })
          .where('id', '=', id)
          .execute();
        return loadCampaign(trx, id);
      },
      after: (after) => ({ state: after.state, approvedBy: after.approvedBy, currentWave: after.currentWave }),
      details: () => details,
    });
  });
}

interface ActionEffect {
  /** Columns the action sets besides the state. */
  set: Updateable<CampaignsTable>;
  /** What the audit entry records of the action's work. */
  details: Record<string, unknown>;
}

/** What each action does besides moving the state, and the checks that may still refuse it. */
async function applyActionEffects(
  trx: Transaction<Database>,
  actor: Actor,
  c: CampaignRow,
  action: CampaignAction,
  now: Date,
): Promise<ActionEffect> {
  const id = c.id;
  const releaseIds = (
    await trx.selectFrom('campaign_releases').select('release_id').where('campaign_id', '=', id).execute()
  ).map((r) => r.release_id);
  switch (action) {
    case 'submit': {
      await checkReleases(trx, releaseIds, 'releaseIds');
      const targeted = await resolveTargets(trx, id, c.target_filter);
      if (targeted === 0) throw noTargets(id);
      return { set: {}, details: { targetedVehicles: targeted } };
    }
    case 'approve':
      checkFourEyes(id, actor, c.created_by);
      await checkReleases(trx, releaseIds, 'releaseIds');
      return { set: { approved_by: actor.userId, approved_at: now }, details: {} };
    case 'reject':
      await clearTargets(trx, id);
      return { set: {}, details: {} };
    case 'start':
      await checkReleases(trx, releaseIds, 'releaseIds');
      await setWave(trx, id, 1, { started_at: now });
      return { set: { started_at: now, current_wave: 1 }, details: {} };
    case 'complete':
      checkNothingInFlight(id, c.state, countIn(await vehicleCounts(trx, [id]), IN_FLIGHT_VEHICLE_STATES));
      return { set: { finished_at: now }, details: { cancelledVehicles: await cancelWaitingVehicles(trx, id, now) } };
    case 'cancel':
      return { set: { finished_at: now }, details: { cancelledVehicles: await cancelWaitingVehicles(trx, id, now) } };
    default:
      return { set: {}, details: {} };
  }
}

/** Vehicles not yet downloading are cancelled; those already installing finish and report. */
async function cancelWaitingVehicles(trx: Transaction<Database>, id: number, now: Date): Promise<number> {
  return moveWaitingVehicles(trx, { campaignId: id }, 'cancelled', now);
}

export async function listCampaigns(
  db: Db,
  filter: { state?: CampaignState | undefined },
  page: PageQuery,
): Promise<Page<Campaign>> {
  const after = decodeCursor<number>(page.cursor, 'number');
  const rows = await db
    .selectFrom('campaigns')
    .selectAll()
    .$if(after !== null, (q) => q.where('id', '>', after ?? 0))
    .$if(filter.state !== undefined, (q) => q.where('state', '=', filter.state ?? 'draft'))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  const found = toPage(
    rows,
    page.limit,
    (r) => r.id,
    (r) => r,
  );
  return { items: await toCampaigns(db, found.items), nextCursor: found.nextCursor };
}

export interface CampaignVehicle {
  vin: string;
  waveNo: number;
  state: string;
  stateChangedAt: string;
  error: string | null;
}

export async function listCampaignVehicles(
  db: Db,
  campaignId: number,
  filter: { state?: string | undefined; waveNo?: number | undefined },
  page: PageQuery,
): Promise<Page<CampaignVehicle>> {
  await loadCampaignRow(db, campaignId);
  const after = decodeCursor<string>(page.cursor, 'string');
  const rows = await db
    .selectFrom('campaign_vehicles')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .$if(after !== null, (q) => q.where('vin', '>', after ?? ''))
    .$if(filter.state !== undefined, (q) => q.where('state', '=', (filter.state ?? 'pending') as 'pending'))
    .$if(filter.waveNo !== undefined, (q) => q.where('wave_no', '=', filter.waveNo ?? 0))
    .orderBy('vin')
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows,
    page.limit,
    (r) => r.vin,
    (r) => ({
      vin: r.vin,
      waveNo: r.wave_no,
      state: r.state,
      stateChangedAt: r.state_changed_at.toISOString(),
      error: r.error,
    }),
  );
}

async function loadCampaignRow(db: Db, id: number): Promise<CampaignRow> {
  const c = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('campaign', id);
  return c;
}
