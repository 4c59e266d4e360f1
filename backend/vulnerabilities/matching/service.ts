import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { lockForTransaction, lockKeys } from '../../db/advisory-lock.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { appendAudit } from '../../audit/service.ts';
import type { Actor } from '../../audit/service.ts';
import { vulnerabilityKey } from '../advisories/advisory.ts';
import { recordReport, replaceAffected } from '../service.ts';
import type { AffectedSpec } from './affected.ts';
import { findMatches } from './matcher.ts';
import type { AdvisoryPackage, ComponentRef } from './matcher.ts';

// Matching against the database: runs after a new SBOM (its components against every advisory),
// after an import (the new advisories against every component) and on demand (everything).

export type MatchScope = { sbomIds: number[] } | { advisoryIds: number[] } | { all: true };

export interface MatchSummary {
  /** Findings this run added (0 when re-run: matching is idempotent). */
  newFindings: number;
  /** Vulnerabilities this run created in the received phase. */
  createdVulnerabilities: number[];
  /** Every vulnerability with a finding from this run's candidates. */
  vulnerabilityIds: number[];
}

type Mdb = Db | Transaction<Database>;

async function loadComponents(db: Mdb, scope: MatchScope, keys: string[] | null): Promise<ComponentRef[]> {
  let q = db
    .selectFrom('sbom_components as c')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .select(['c.sbom_id', 'c.ordinal', 's.release_id', 'c.package_key', 'c.version'])
    .where('c.package_key', 'is not', null);
  if ('sbomIds' in scope) q = q.where(sql<boolean>`c.sbom_id = ANY(${scope.sbomIds}::int[])`);
  if (keys) q = q.where(sql<boolean>`c.package_key = ANY(${keys}::text[])`);
  const rows = await q.orderBy('c.sbom_id').orderBy('c.ordinal').execute();
  return rows.map((r) => ({
    sbomId: r.sbom_id,
    ordinal: r.ordinal,
    releaseId: r.release_id,
    packageKey: r.package_key as string,
    version: r.version,
  }));
}

async function loadPackages(db: Mdb, scope: MatchScope, keys: string[] | null): Promise<AdvisoryPackage[]> {
  let q = db.selectFrom('advisory_packages').select(['advisory_id', 'package_key', 'scheme', 'affected']);
  if ('advisoryIds' in scope) q = q.where(sql<boolean>`advisory_id = ANY(${scope.advisoryIds}::int[])`);
  if (keys) q = q.where(sql<boolean>`package_key = ANY(${keys}::text[])`);
  const rows = await q.orderBy('advisory_id').orderBy('ordinal').execute();
  return rows.map((r) => ({
    advisoryId: r.advisory_id,
    packageKey: r.package_key,
    scheme: r.scheme,
    affected: r.affected as AffectedSpec,
  }));
}

/** The vulnerability an advisory's matches belong to: linked by CVE (or first alias), else created. */
async function vulnerabilityFor(trx: Transaction<Database>, actor: Actor, advisoryId: number) {
  const a = await trx
    .selectFrom('advisories')
    .select(['id', 'source', 'external_id', 'aliases', 'summary', 'document'])
    .where('id', '=', advisoryId)
    .executeTakeFirstOrThrow();
  const key = vulnerabilityKey({ externalId: a.external_id, aliases: a.aliases });
  const linked = await trx
    .selectFrom('monitored_vulnerabilities')
    .select('vulnerability_id')
    .where('vulnerability_key', '=', key)
    .executeTakeFirst();
  if (linked) return { id: linked.vulnerability_id, created: false };
  const details = (a.document as { details?: unknown }).details;
  const v = await recordReport(trx, actor, {
    title: `${key}: ${a.summary}`.slice(0, 300),
    description: typeof details === 'string' ? details : `${a.source.toUpperCase()} advisory ${a.external_id}`,
    reporter: `${a.source.toUpperCase()} advisory ${a.external_id}`,
    reporterKind: a.source === 'csaf' ? 'supplier' : 'cert',
    reporterContact: null,
    attackVectorNote: null,
    impactNote: null,
    intrusionLevel: null,
    affected: [],
  });
  await trx
    .insertInto('monitored_vulnerabilities')
    .values({ vulnerability_key: key, vulnerability_id: v.id })
    .execute();
  return { id: v.id, created: true };
}

/**
 * The vulnerability's affected hardware ids and versions, from its findings, less the releases a
 * VEX statement says are not affected (or fixed). Writes only when they changed.
 */
export async function refreshAffected(trx: Transaction<Database>, vulnerabilityId: number) {
  const rows = await sql<{ hardware_id: string; versions: string[] }>`
    SELECT r.hardware_id, array_agg(DISTINCT r.version ORDER BY r.version) AS versions
    FROM findings f JOIN releases r ON r.id = f.release_id
    WHERE f.vulnerability_id = ${vulnerabilityId}
      AND NOT EXISTS (SELECT 1 FROM vex_statements x WHERE x.release_id = f.release_id
                      AND x.vulnerability_id = f.vulnerability_id AND x.status IN ('not_affected', 'fixed'))
    GROUP BY r.hardware_id ORDER BY r.hardware_id`.execute(trx);
  const current = await trx
    .selectFrom('vulnerability_affected')
    .select(['hardware_id', 'versions'])
    .where('vulnerability_id', '=', vulnerabilityId)
    .orderBy('hardware_id')
    .execute();
  const norm = (xs: { hardware_id: string; versions: string[] }[]) =>
    JSON.stringify(xs.map((x) => [x.hardware_id, [...x.versions].sort()]));
  if (norm(rows.rows) === norm(current)) return;
  await replaceAffected(
    trx,
    vulnerabilityId,
    rows.rows.map((r) => ({ hardwareId: r.hardware_id, versions: r.versions })),
  );
}

export async function runMatching(db: Db, actor: Actor, scope: MatchScope): Promise<MatchSummary> {
  // Candidates on one side narrow the other side to the same package keys.
  let components: ComponentRef[];
  let packages: AdvisoryPackage[];
  if ('advisoryIds' in scope) {
    if (scope.advisoryIds.length === 0) return { newFindings: 0, createdVulnerabilities: [], vulnerabilityIds: [] };
    packages = await loadPackages(db, scope, null);
    const keys = [...new Set(packages.map((p) => p.packageKey))];
    components = keys.length > 0 ? await loadComponents(db, { all: true }, keys) : [];
  } else {
    if ('sbomIds' in scope && scope.sbomIds.length === 0) {
      return { newFindings: 0, createdVulnerabilities: [], vulnerabilityIds: [] };
    }
    components = await loadComponents(db, scope, null);
    const keys = [...new Set(components.map((c) => c.packageKey))];
    packages = keys.length > 0 ? await loadPackages(db, { all: true }, keys) : [];
  }
  const matches = findMatches(components, packages);
  return db.transaction().execute(async (trx) => {
    // One matcher at a time, so two runs cannot both create the vulnerability for one CVE.
    await lockForTransaction(trx, lockKeys.vulnerabilityMatching());
    const vulnOf = new Map<number, number>();
    const created: number[] = [];
    for (const advisoryId of new Set(matches.map((m) => m.advisoryId))) {
      const v = await vulnerabilityFor(trx, actor, advisoryId);
      vulnOf.set(advisoryId, v.id);
      if (v.created) created.push(v.id);
    }
    let inserted: { vulnerability_id: number; advisory_id: number; release_id: number }[] = [];
    for (let i = 0; i < matches.length; i += 1000) {
      const chunk = matches.slice(i, i + 1000);
      const rows = await trx
        .insertInto('findings')
        .values(
          chunk.map((m) => ({
            advisory_id: m.advisoryId,
            sbom_id: m.sbomId,
            ordinal: m.ordinal,
            release_id: m.releaseId,
            vulnerability_id: vulnOf.get(m.advisoryId) as number,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .returning(['vulnerability_id', 'advisory_id', 'release_id'])
        .execute();
      inserted = inserted.concat(rows);
    }
    const touched = [...new Set(vulnOf.values())].sort((a, b) => a - b);
    for (const id of touched) await refreshAffected(trx, id);
    for (const id of [...new Set(inserted.map((r) => r.vulnerability_id))].sort((a, b) => a - b)) {
      const mine = inserted.filter((r) => r.vulnerability_id === id);
      await appendAudit(trx, {
        actor,
        action: 'vulnerability.match',
        entityType: 'vulnerability',
        entityId: id,
        details: {
          findings: mine.length,
          advisories: [...new Set(mine.map((r) => r.advisory_id))],
          releases: [...new Set(mine.map((r) => r.release_id))],
        },
      });
    }
    return { newFindings: inserted.length, createdVulnerabilities: created, vulnerabilityIds: touched };
  });
}
