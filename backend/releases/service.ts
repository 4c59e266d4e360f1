import type { Transaction } from 'kysely';
import type { BlobStore } from '../blobs/store.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { ReleaseState } from './types.ts';
import { applyAudited, checkMove } from '../audit/audited-change.ts';
import { appendAudit } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import { conflict, illegalTransition, invalid, notFound } from '../http/problem.ts';
import { decodeCursor, toLoadedPageById } from '../http/pagination.ts';
import type { Page, PageQuery } from '../http/pagination.ts';
import { ADDRESSED_PHASES } from '../vulnerabilities/phases.ts';
import {
  EVIDENCE_STAGES,
  IMAGE_UPLOAD_STATES,
  RELEASE_TRANSITIONS,
  SAFETY_ANALYSIS_STATES,
  SAFETY_ASIL,
} from './lifecycle.ts';
import type { AuthorizationDecision, EvidenceStage } from './lifecycle.ts';

export interface ReleaseInput {
  hardwareId: string;
  version: string;
  supplier: string;
  notes: string;
  /** Vulnerabilities this release fixes. */
  fixes: number[];
}

export interface TestEvidence {
  reportRef: string;
  logSha256: string;
}

export interface ReleaseImage {
  sha256: string;
  length: number;
  fileName: string;
  hardwareIds: string[];
  version: string;
  uploadedAt: string;
}

export interface Release {
  id: number;
  hardwareId: string;
  version: string;
  supplier: string;
  notes: string;
  state: ReleaseState;
  /** True when some ECU of this hardware id in the fleet carries an ASIL A-D rating. */
  safetyRelevant: boolean;
  safetyImpactAnalysis: string | null;
  fixes: number[];
  images: ReleaseImage[];
  evidence: { stage: EvidenceStage; reportRef: string; logSha256: string; recordedAt: string }[];
  createdAt: string;
  updatedAt: string;
}

async function isSafetyRelevant(db: Db, hardwareId: string): Promise<boolean> {
  const row = await db
    .selectFrom('ecus')
    .select('id')
    .where('hardware_id', '=', hardwareId)
    .where('asil', 'in', SAFETY_ASIL)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function loadRelease(db: Db, id: number): Promise<Release> {
  const r = await db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('release', id);
  const [images, evidence, fixes, safetyRelevant] = await Promise.all([
    db.selectFrom('release_images').selectAll().where('release_id', '=', id).orderBy('uploaded_at').execute(),
    db.selectFrom('release_evidence').selectAll().where('release_id', '=', id).orderBy('id').execute(),
    db
      .selectFrom('release_fixes')
      .select('vulnerability_id')
      .where('release_id', '=', id)
      .orderBy('vulnerability_id')
      .execute(),
    isSafetyRelevant(db, r.hardware_id),
  ]);
  return {
    id: r.id,
    hardwareId: r.hardware_id,
    version: r.version,
    supplier: r.supplier,
    notes: r.notes,
    state: r.state,
    safetyRelevant,
    safetyImpactAnalysis: r.safety_impact_analysis,
    fixes: fixes.map((f) => f.vulnerability_id),
    images: images.map((i) => ({
      sha256: i.sha256,
      length: Number(i.length),
      fileName: i.file_name,
      hardwareIds: i.hardware_ids,
      version: i.version,
      uploadedAt: i.uploaded_at.toISOString(),
    })),
    evidence: evidence.map((e) => ({
      stage: e.stage,
      reportRef: e.report_ref,
      logSha256: e.log_sha256,
      recordedAt: e.recorded_at.toISOString(),
    })),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function createRelease(db: Db, actor: Actor, input: ReleaseInput): Promise<Release> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('releases')
      .values({
        hardware_id: input.hardwareId,
        version: input.version,
        supplier: input.supplier,
        notes: input.notes,
        created_by: actor.userId ?? 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const fixes = [...new Set(input.fixes)];
    if (fixes.length > 0) {
      await trx
        .insertInto('release_fixes')
        .values(fixes.map((v) => ({ release_id: row.id, vulnerability_id: v })))
        .execute();
    }
    const after = await loadRelease(trx, row.id);
    await appendAudit(trx, { actor, action: 'release.create', entityType: 'release', entityId: row.id, after });
    return after;
  });
}

async function lockRelease(trx: Transaction<Database>, id: number) {
  const row = await trx.selectFrom('releases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('release', id);
  return row;
}

export interface ImageUpload {
  fileName: string;
  bytes: Uint8Array;
  hardwareIds?: string[] | undefined;
}

/** Stores an image content-addressed and attaches it; only while the release is still `available`. */
export async function attachImage(
  db: Db,
  blobs: BlobStore,
  actor: Actor,
  id: number,
  upload: ImageUpload,
): Promise<Release> {
  if (upload.bytes.length === 0) throw invalid('body', 'the image is empty');
  const stored = await blobs.put(upload.bytes);
  return db.transaction().execute(async (trx) => {
    const release = await lockRelease(trx, id);
    if (!IMAGE_UPLOAD_STATES.includes(release.state)) {
      throw conflict(`release ${id} is ${release.state}; images are attached while it is available`, 'wrong-state');
    }
    const image = {
      release_id: id,
      sha256: stored.sha256,
      length: stored.length,
      file_name: upload.fileName,
      hardware_ids: upload.hardwareIds?.length ? upload.hardwareIds : [release.hardware_id],
      version: release.version,
    };
    await trx
      .insertInto('release_images')
      .values(image)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await appendAudit(trx, {
      actor,
      action: 'release.image',
      entityType: 'release',
      entityId: id,
      details: {
        sha256: stored.sha256,
        length: stored.length,
        fileName: upload.fileName,
        hardwareIds: image.hardware_ids,
      },
    });
    return loadRelease(trx, id);
  });
}

export interface ReleaseTransition {
  to: ReleaseState;
  reason: string;
  evidence?: TestEvidence | undefined;
}

async function recordEvidence(
  trx: Transaction<Database>,
  actor: Actor,
  id: number,
  stage: EvidenceStage,
  evidence: TestEvidence | undefined,
): Promise<void> {
  if (!evidence) throw invalid('json.evidence', `test evidence is required to become ${stage}`);
  await trx
    .insertInto('release_evidence')
    .values({
      release_id: id,
      stage,
      report_ref: evidence.reportRef,
      log_sha256: evidence.logSha256,
      recorded_by: actor.userId ?? 0,
    })
    .execute();
}

async function moveRelease(
  trx: Transaction<Database>,
  actor: Actor,
  id: number,
  from: ReleaseState,
  to: ReleaseState,
  reason: string,
  set: { safety_impact_analysis?: string } = {},
): Promise<Release> {
  return applyAudited(
    trx,
    { actor, action: `release.${to}`, entityType: 'release', entityId: id, reason },
    {
      before: { state: from },
      apply: async () => {
        await trx
          .updateTable('releases')
          .set({ state: to, updated_at: new Date(), ...set })
          .where('id', '=', id)
          .execute();
        return loadRelease(trx, id);
      },
      after: (after) => ({
        state: to,
        evidence: after.evidence.at(-1) ?? null,
        safetyImpactAnalysis: after.safetyImpactAnalysis,
      }),
    },
  );
}

/** Supplier-side and post-authorisation moves; authorisation itself goes through `decideAuthorization`. */
export async function transitionRelease(db: Db, actor: Actor, id: number, change: ReleaseTransition): Promise<Release> {
  return db.transaction().execute(async (trx) => {
    const release = await lockRelease(trx, id);
    const what = `release ${id}`;
    if (change.to === 'authorized' || change.to === 'not_authorized') {
      throw illegalTransition(
        what,
        release.state,
        change.to,
        'authorisation is decided by an approver (POST /authorization)',
      );
    }
    checkMove({
      what,
      from: release.state,
      to: change.to,
      legal: RELEASE_TRANSITIONS[release.state].includes(change.to),
    });
    if (change.to === 'in_test') {
      const image = await trx
        .selectFrom('release_images')
        .select('sha256')
        .where('release_id', '=', id)
        .executeTakeFirst();
      if (!image) throw illegalTransition(what, release.state, change.to, 'attach at least one image first');
    }
    const stage = EVIDENCE_STAGES.find((s) => s === change.to);
    if (stage) await recordEvidence(trx, actor, id, stage, change.evidence);
    return moveRelease(trx, actor, id, release.state, change.to, change.reason);
  });
}

/**
 * Records the safety impact analysis (IEC TR 63069) ahead of the OEM's decision, so the approver
 * authorises against it; an approver may still give one with the authorisation.
 */
export async function recordSafetyImpactAnalysis(
  db: Db,
  actor: Actor,
  id: number,
  input: { analysis: string; reason: string },
): Promise<Release> {
  return db.transaction().execute(async (trx) => {
    const release = await lockRelease(trx, id);
    if (!SAFETY_ANALYSIS_STATES.includes(release.state)) {
      throw conflict(
        `release ${id} is ${release.state}; the safety impact analysis is recorded before the authorisation decision`,
        'wrong-state',
      );
    }
    const head = { actor, action: 'release.safety_impact_analysis', entityType: 'release', entityId: id };
    return applyAudited(
      trx,
      { ...head, reason: input.reason },
      {
        before: { safetyImpactAnalysis: release.safety_impact_analysis },
        apply: async () => {
          const set = { safety_impact_analysis: input.analysis, updated_at: new Date() };
          await trx.updateTable('releases').set(set).where('id', '=', id).execute();
          return loadRelease(trx, id);
        },
        after: () => ({ safetyImpactAnalysis: input.analysis }),
      },
    );
  });
}

export interface AuthorizationInput {
  decision: AuthorizationDecision;
  reason: string;
  evidence?: TestEvidence | undefined;
  safetyImpactAnalysis?: string | undefined;
}

/**
 * The OEM's decision on a release under internal test. Authorising needs test evidence, a safety
 * impact analysis for safety-relevant hardware (IEC TR 63069), and every vulnerability the release
 * fixes to be addressed (IEC 62443-4-1 SM-11).
 */
export async function decideAuthorization(
  db: Db,
  actor: Actor,
  id: number,
  input: AuthorizationInput,
): Promise<Release> {
  return db.transaction().execute(async (trx) => {
    const release = await lockRelease(trx, id);
    const what = `release ${id}`;
    const legal = RELEASE_TRANSITIONS[release.state].includes(input.decision);
    checkMove({ what, from: release.state, to: input.decision, legal });
    const set: { safety_impact_analysis?: string } = {};
    if (input.decision === 'authorized') {
      const analysis = input.safetyImpactAnalysis ?? release.safety_impact_analysis;
      if (!analysis && (await isSafetyRelevant(trx, release.hardware_id))) {
        throw illegalTransition(
          what,
          release.state,
          'authorized',
          `hardware ${release.hardware_id} is safety-relevant (ASIL): a safety impact analysis is required`,
        );
      }
      if (input.safetyImpactAnalysis) set.safety_impact_analysis = input.safetyImpactAnalysis;
      const open = await trx
        .selectFrom('release_fixes as f')
        .innerJoin('vulnerabilities as v', 'v.id', 'f.vulnerability_id')
        .select(['v.id', 'v.phase'])
        .where('f.release_id', '=', id)
        .where('v.phase', 'not in', ADDRESSED_PHASES)
        .execute();
      if (open.length > 0) {
        throw illegalTransition(
          what,
          release.state,
          'authorized',
          `fixed vulnerabilities not yet addressed: ${open.map((v) => `${v.id} (${v.phase})`).join(', ')}`,
        );
      }
      await recordEvidence(trx, actor, id, 'authorized', input.evidence);
    }
    return moveRelease(trx, actor, id, release.state, input.decision, input.reason, set);
  });
}

export async function listReleases(
  db: Db,
  filter: { state?: ReleaseState | undefined; hardwareId?: string | undefined },
  page: PageQuery,
): Promise<Page<Release>> {
  const after = decodeCursor<number>(page.cursor, 'number');
  const rows = await db
    .selectFrom('releases')
    .select('id')
    .$if(after !== null, (q) => q.where('id', '>', after ?? 0))
    .$if(filter.state !== undefined, (q) => q.where('state', '=', filter.state ?? 'available'))
    .$if(filter.hardwareId !== undefined, (q) => q.where('hardware_id', '=', filter.hardwareId ?? ''))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return toLoadedPageById(rows, page.limit, (r) => loadRelease(db, r.id));
}
