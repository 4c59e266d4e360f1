import type { Db } from '../../db/database.ts';
import type { VexJustification, VexStatus } from '../types.ts';
import { appendAudit } from '../../audit/service.ts';
import type { Actor } from '../../audit/service.ts';
import { invalid, notFound } from '../../http/problem.ts';
import { refreshAffected } from '../matching/service.ts';

/** A decision as the API takes it: a justification exactly when not affected. */
export type VexDecision =
  | { status: 'not_affected'; justification: VexJustification; detail: string }
  | { status: Exclude<VexStatus, 'not_affected'>; detail: string };

export interface VexStatement {
  releaseId: number;
  vulnerabilityId: number;
  status: VexStatus;
  justification: VexJustification | null;
  detail: string;
  decidedBy: string;
  decidedAt: string;
}

/**
 * Records the security engineer's statement for one release and vulnerability; not_affected (and
 * fixed) take the release out of the vulnerability's affected set, so it no longer counts vehicles.
 */
export async function decideVex(
  db: Db,
  actor: Actor,
  releaseId: number,
  vulnerabilityId: number,
  decision: VexDecision,
  now: Date,
): Promise<VexStatement> {
  const justification = decision.status === 'not_affected' ? decision.justification : null;
  if (decision.status !== 'not_affected' && 'justification' in decision) {
    throw invalid('json.justification', 'a justification goes with not_affected only');
  }
  await db.transaction().execute(async (trx) => {
    const release = await trx.selectFrom('releases').select('id').where('id', '=', releaseId).executeTakeFirst();
    if (!release) throw notFound('release', releaseId);
    const vuln = await trx
      .selectFrom('vulnerabilities')
      .select('id')
      .where('id', '=', vulnerabilityId)
      .executeTakeFirst();
    if (!vuln) throw notFound('vulnerability', vulnerabilityId);
    const before = await trx
      .selectFrom('vex_statements')
      .select(['status', 'justification', 'detail'])
      .where('release_id', '=', releaseId)
      .where('vulnerability_id', '=', vulnerabilityId)
      .executeTakeFirst();
    const values = {
      status: decision.status,
      justification,
      detail: decision.detail,
      decided_by: actor.userId ?? 0,
      decided_at: now,
    };
    await trx
      .insertInto('vex_statements')
      .values({ release_id: releaseId, vulnerability_id: vulnerabilityId, ...values })
      .onConflict((oc) => oc.columns(['release_id', 'vulnerability_id']).doUpdateSet(values))
      .execute();
    await refreshAffected(trx, vulnerabilityId);
    await appendAudit(trx, {
      actor,
      action: 'vex.decide',
      entityType: 'vulnerability',
      entityId: vulnerabilityId,
      before,
      after: { releaseId, status: decision.status, justification, detail: decision.detail },
    });
  });
  const [statement] = await listVex(db, { releaseId, vulnerabilityId });
  return statement as VexStatement;
}

export async function listVex(
  db: Db,
  filter: { releaseId?: number; vulnerabilityId?: number },
): Promise<VexStatement[]> {
  let q = db
    .selectFrom('vex_statements as x')
    .innerJoin('users as u', 'u.id', 'x.decided_by')
    .select([
      'x.release_id',
      'x.vulnerability_id',
      'x.status',
      'x.justification',
      'x.detail',
      'u.name',
      'x.decided_at',
    ]);
  if (filter.releaseId !== undefined) q = q.where('x.release_id', '=', filter.releaseId);
  if (filter.vulnerabilityId !== undefined) q = q.where('x.vulnerability_id', '=', filter.vulnerabilityId);
  const rows = await q.orderBy('x.release_id').orderBy('x.vulnerability_id').execute();
  return rows.map((r) => ({
    releaseId: r.release_id,
    vulnerabilityId: r.vulnerability_id,
    status: r.status,
    justification: r.justification,
    detail: r.detail,
    decidedBy: r.name,
    decidedAt: r.decided_at.toISOString(),
  }));
}
