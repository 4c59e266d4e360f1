import { sql } from 'kysely';
import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { RejectionReason, RemediationKind, ReporterKind, VulnerabilityPhase } from './types.ts';
import type { VulnerabilitiesTable } from './tables.ts';
import { transitionAudited } from '../audit/audited-change.ts';
import { appendAudit } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import { conflict, invalid, notFound } from '../http/problem.ts';
import { decodeCursor, toLoadedPageById } from '../http/pagination.ts';
import type { Page, PageQuery } from '../http/pagination.ts';
import { assessCvss, CvssVectorError } from './cvss.ts';
import type { CvssAssessment } from './cvss.ts';
import { cvssContexts } from './cvss-context.ts';
import type { CvssContext } from './cvss-context.ts';

import { DEFAULT_DEADLINE_POLICY, deliveryDeadline } from './deadline-policy.ts';
import type { DeadlinePolicy } from './deadline-policy.ts';
import { EDITABLE_ASSESSMENT_PHASES, OPEN_PHASES, PHASE_TRANSITIONS } from './phases.ts';
import { phaseChangeSet } from './phase-change.ts';
import type { PhaseChange } from './phase-change.ts';

export interface AffectedProduct {
  hardwareId: string;
  versions: string[];
}

export interface VulnerabilityReport {
  title: string;
  description: string;
  reporter: string;
  reporterKind: ReporterKind;
  reporterContact: string | null;
  attackVectorNote: string | null;
  impactNote: string | null;
  intrusionLevel: string | null;
  affected: AffectedProduct[];
}

export interface Assessment {
  cvssVector: string;
  exploitAvailable: boolean;
  workaroundExists: boolean;
  safetyRelevant: boolean;
  rootCause: string | null;
  affected?: AffectedProduct[] | undefined;
  /** Why an issue already assessed is assessed again: its deadline may move. */
  reason?: string | undefined;
}

export interface Remediation {
  kind: RemediationKind;
  note: string;
  embargoUntil: string | null;
}

export type { PhaseChange } from './phase-change.ts';

/** What was reported, as assessed so far. */
export interface Vulnerability
  extends
    VulnerabilityReport,
    Pick<Assessment, 'exploitAvailable' | 'workaroundExists' | 'safetyRelevant' | 'rootCause'> {
  id: number;
  phase: VulnerabilityPhase;
  cvss: CvssAssessment | null;
  /** The vector scored per affected ECU context (model, hardware, ASIL, exposure), the worst first. */
  cvssContexts: CvssContext[];
  /** The worst context's score, which sets the delivery deadline; null without vector or affected ECUs. */
  contextualCvss: CvssAssessment | null;
  remediation: { kind: RemediationKind; note: string | null } | null;
  deliveryClass: string | null;
  confirmedAt: string | null;
  deadlineAt: string | null;
  /** Whole days until the deadline (negative when overdue); null without a deadline or once closed. */
  daysLeft: number | null;
  overdue: boolean;
  embargoUntil: string | null;
  advisory: string | null;
  disclosedAt: string | null;
  rejectionReason: RejectionReason | null;
  affectedVehicles: number;
  createdAt: string;
  updatedAt: string;
}

export interface VulnerabilityOptions {
  policy?: DeadlinePolicy | undefined;
  now?: Date | undefined;
}

type Row = Selectable<VulnerabilitiesTable>;
type Executor = Db;

/** Vehicles (not end of life) with an ECU whose hardware id and installed version are affected, counted in SQL. */
export async function affectedVehicleCount(db: Executor, vulnerabilityId: number): Promise<number> {
  const result = await sql<{ n: number }>`
    SELECT count(DISTINCT e.vin)::int AS n
    FROM vulnerability_affected a
    JOIN ecus e ON e.hardware_id = a.hardware_id AND e.installed_version = ANY(a.versions)
    JOIN vehicles v ON v.vin = e.vin AND v.lifecycle <> 'end_of_life'
    WHERE a.vulnerability_id = ${vulnerabilityId}`.execute(db);
  return result.rows[0]?.n ?? 0;
}

interface Related {
  affected: AffectedProduct[];
  affectedVehicles: number;
  contexts: CvssContext[];
}

async function loadRelated(db: Executor, row: Row): Promise<Related> {
  return {
    affected: await loadAffected(db, row.id),
    affectedVehicles: await affectedVehicleCount(db, row.id),
    contexts: row.cvss_vector ? await cvssContexts(db, row.id, row.cvss_vector) : [],
  };
}

function toVulnerability(row: Row, { affected, affectedVehicles, contexts }: Related, now: Date): Vulnerability {
  const open = OPEN_PHASES.includes(row.phase);
  const daysLeft =
    row.deadline_at && open ? Math.floor((row.deadline_at.getTime() - now.getTime()) / 86_400_000) : null;
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    phase: row.phase,
    reporter: row.reporter,
    reporterKind: row.reporter_kind,
    reporterContact: row.reporter_contact,
    attackVectorNote: row.attack_vector_note,
    impactNote: row.impact_note,
    intrusionLevel: row.intrusion_level,
    // The sub-scores and nomenclature follow from the stored vector; one scorer computes them.
    cvss: row.cvss_vector ? assessCvss(row.cvss_vector) : null,
    cvssContexts: contexts,
    contextualCvss: contexts[0]?.cvss ?? null,
    exploitAvailable: row.exploit_available,
    workaroundExists: row.workaround_exists,
    safetyRelevant: row.safety_relevant,
    rootCause: row.root_cause,
    remediation: row.remediation_kind ? { kind: row.remediation_kind, note: row.remediation_note } : null,
    deliveryClass: row.delivery_class,
    confirmedAt: row.confirmed_at?.toISOString() ?? null,
    deadlineAt: row.deadline_at?.toISOString() ?? null,
    daysLeft,
    overdue: daysLeft !== null && row.deadline_at !== null && row.deadline_at.getTime() < now.getTime(),
    embargoUntil: row.embargo_until?.toISOString() ?? null,
    advisory: row.advisory,
    disclosedAt: row.disclosed_at?.toISOString() ?? null,
    rejectionReason: row.rejection_reason,
    affected,
    affectedVehicles,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function loadAffected(db: Executor, id: number): Promise<AffectedProduct[]> {
  const rows = await db
    .selectFrom('vulnerability_affected')
    .select(['hardware_id', 'versions'])
    .where('vulnerability_id', '=', id)
    .orderBy('hardware_id')
    .execute();
  return rows.map((r) => ({ hardwareId: r.hardware_id, versions: r.versions }));
}

export async function loadVulnerability(db: Executor, id: number, now = new Date()): Promise<Vulnerability> {
  const row = await db.selectFrom('vulnerabilities').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('vulnerability', id);
  return toVulnerability(row, await loadRelated(db, row), now);
}

export async function replaceAffected(db: Executor, id: number, affected: AffectedProduct[]): Promise<void> {
  await db.deleteFrom('vulnerability_affected').where('vulnerability_id', '=', id).execute();
  if (affected.length > 0) {
    await db
      .insertInto('vulnerability_affected')
      .values(
        affected.map((a) => ({ vulnerability_id: id, hardware_id: a.hardwareId, versions: [...new Set(a.versions)] })),
      )
      .execute();
  }
}

export async function reportVulnerability(db: Db, actor: Actor, input: VulnerabilityReport): Promise<Vulnerability> {
  return db.transaction().execute((trx) => recordReport(trx, actor, input));
}

/** Records a report inside the caller's transaction (the matcher reports what it finds this way). */
export async function recordReport(
  trx: Transaction<Database>,
  actor: Actor,
  input: VulnerabilityReport,
): Promise<Vulnerability> {
  const row = await trx
    .insertInto('vulnerabilities')
    .values({
      title: input.title,
      description: input.description,
      reporter: input.reporter,
      reporter_kind: input.reporterKind,
      reporter_contact: input.reporterContact,
      attack_vector_note: input.attackVectorNote,
      impact_note: input.impactNote,
      intrusion_level: input.intrusionLevel,
      created_by: actor.userId ?? 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replaceAffected(trx, row.id, input.affected);
  const after = await loadVulnerability(trx, row.id);
  await appendAudit(trx, {
    actor,
    action: 'vulnerability.report',
    entityType: 'vulnerability',
    entityId: row.id,
    after,
  });
  return after;
}

/** Locks the row for an edit of its assessment or remediation, refused outside assessing and addressing. */
async function lockEditable(db: Executor, id: number, what: 'assessment' | 'remediation'): Promise<Row> {
  const row = await lockRow(db, id);
  if (!EDITABLE_ASSESSMENT_PHASES.includes(row.phase)) {
    throw conflict(
      `vulnerability ${id} is ${row.phase}; the ${what} is recorded while assessing or addressing`,
      'wrong-phase',
    );
  }
  return row;
}

async function lockRow(db: Executor, id: number): Promise<Row> {
  const row = await db.selectFrom('vulnerabilities').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('vulnerability', id);
  return row;
}

/** Records the assessment: scores the CVSS vector, counts affected vehicles and sets the delivery deadline. */
export async function assessVulnerability(
  db: Db,
  actor: Actor,
  id: number,
  input: Assessment,
  options: VulnerabilityOptions = {},
): Promise<Vulnerability> {
  let cvss;
  try {
    cvss = assessCvss(input.cvssVector);
  } catch (err) {
    if (err instanceof CvssVectorError) throw invalid('json.cvssVector', err.message);
    throw err;
  }
  const now = options.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const row = await lockEditable(trx, id, 'assessment');
    if (row.cvss_vector && !input.reason) {
      throw invalid('json.reason', 'required when re-assessing: the delivery deadline may change');
    }
    const before = await loadVulnerability(trx, id, now);
    if (input.affected) await replaceAffected(trx, id, input.affected);
    const affectedVehicles = await affectedVehicleCount(trx, id);
    // The deadline follows the score in the worst context the fleet has the vulnerable ECUs in.
    const worst = (await cvssContexts(trx, id, cvss.vector))[0]?.cvss ?? cvss;
    const confirmedAt = row.confirmed_at ?? now;
    const { deliveryClass, deadline } = deliveryDeadline(
      confirmedAt,
      {
        severity: worst.severity,
        exploitAvailable: input.exploitAvailable,
        workaroundExists: input.workaroundExists,
        affectedVehicles,
      },
      options.policy ?? DEFAULT_DEADLINE_POLICY,
    );
    await trx
      .updateTable('vulnerabilities')
      .set({
        cvss_vector: cvss.vector,
        cvss_version: cvss.version,
        cvss_score: cvss.score,
        severity: cvss.severity,
        exploit_available: input.exploitAvailable,
        workaround_exists: input.workaroundExists,
        safety_relevant: input.safetyRelevant,
        root_cause: input.rootCause,
        delivery_class: deliveryClass,
        confirmed_at: confirmedAt,
        deadline_at: deadline,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    const after = await loadVulnerability(trx, id, now);
    await appendAudit(trx, {
      actor,
      action: 'vulnerability.assess',
      entityType: 'vulnerability',
      entityId: id,
      before,
      after,
      reason: input.reason ?? null,
    });
    return after;
  });
}

/** The delivery class and deadline an assessment with these factors would give now, without recording it. */
export async function previewDeadline(
  db: Db,
  id: number,
  factors: { severity: CvssAssessment['severity']; exploitAvailable: boolean; workaroundExists: boolean },
  options: VulnerabilityOptions = {},
): Promise<{ deliveryClass: string; deadline: Date }> {
  const row = await db.selectFrom('vulnerabilities').select('confirmed_at').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('vulnerability', id);
  const affectedVehicles = await affectedVehicleCount(db, id);
  return deliveryDeadline(
    row.confirmed_at ?? options.now ?? new Date(),
    { ...factors, affectedVehicles },
    options.policy ?? DEFAULT_DEADLINE_POLICY,
  );
}

export async function recordRemediation(db: Db, actor: Actor, id: number, input: Remediation): Promise<Vulnerability> {
  return db.transaction().execute(async (trx) => {
    await lockEditable(trx, id, 'remediation');
    const before = await loadVulnerability(trx, id);
    await trx
      .updateTable('vulnerabilities')
      .set({
        remediation_kind: input.kind,
        remediation_note: input.note,
        embargo_until: input.embargoUntil,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    const after = await loadVulnerability(trx, id);
    await appendAudit(trx, {
      actor,
      action: 'vulnerability.remediation',
      entityType: 'vulnerability',
      entityId: id,
      before,
      after,
    });
    return after;
  });
}

/**
 * Moves a vulnerability to another phase when legal from its current one and when the phase's
 * prerequisites hold (an assessment before addressing, a remediation and advisory before disclosure,
 * no disclosure before the embargo date, a reason for rejection).
 */
export async function changeVulnerabilityPhase(
  db: Db,
  actor: Actor,
  id: number,
  change: PhaseChange,
  options: VulnerabilityOptions = {},
): Promise<Vulnerability> {
  const now = options.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const row = await lockRow(trx, id);
    const what = `vulnerability ${id}`;
    const legal = PHASE_TRANSITIONS[row.phase].includes(change.to);
    const head = { actor, action: `vulnerability.${change.to}`, entityType: 'vulnerability', entityId: id };
    return transitionAudited(
      trx,
      { what, from: row.phase, to: change.to, legal },
      { ...head, reason: change.reason },
      {
        before: { phase: row.phase },
        apply: async () => {
          const set = phaseChangeSet(row, change, now);
          await trx.updateTable('vulnerabilities').set(set).where('id', '=', id).execute();
          return loadVulnerability(trx, id, now);
        },
        after: (after) => ({
          phase: after.phase,
          confirmedAt: after.confirmedAt,
          rejectionReason: after.rejectionReason,
        }),
      },
    );
  });
}

export interface VulnerabilityListFilter {
  phase?: VulnerabilityPhase | undefined;
  overdue?: boolean | undefined;
}

export async function listVulnerabilities(
  db: Db,
  filter: VulnerabilityListFilter,
  page: PageQuery,
  now = new Date(),
): Promise<Page<Vulnerability>> {
  const after = decodeCursor<number>(page.cursor, 'number');
  const rows = await db
    .selectFrom('vulnerabilities')
    .selectAll()
    .$if(after !== null, (q) => q.where('id', '>', after ?? 0))
    .$if(filter.phase !== undefined, (q) => q.where('phase', '=', filter.phase ?? 'received'))
    .$if(filter.overdue === true, (q) => q.where('deadline_at', '<', now).where('phase', 'in', OPEN_PHASES))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return toLoadedPageById(rows, page.limit, async (r) => toVulnerability(r, await loadRelated(db, r), now));
}
