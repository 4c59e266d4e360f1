import type { Insertable, Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { AdvisoriesTable } from '../tables.ts';
import { appendAudit } from '../../audit/service.ts';
import type { Actor } from '../../audit/service.ts';
import { refreshAffected, runMatching } from '../matching/service.ts';
import type { MatchSummary } from '../matching/service.ts';
import type { ParsedAdvisory } from './advisory.ts';

export interface ImportSummary {
  created: string[];
  updated: string[];
  /** Already imported with the same or a newer `modified`: nothing changed. */
  unchanged: string[];
  matching: MatchSummary;
}

/**
 * Stores advisories: a new one is inserted, one with a newer `modified` replaces the stored one
 * (its packages and findings, re-matched; the change goes to the audit log), anything else
 * changes nothing. Then the new and replaced ones are matched against every SBOM.
 */
export async function importAdvisories(db: Db, actor: Actor, advisories: ParsedAdvisory[]): Promise<ImportSummary> {
  const summary = { created: [] as string[], updated: [] as string[], unchanged: [] as string[] };
  const changedIds = await db.transaction().execute(async (trx) => {
    const ids: number[] = [];
    for (const a of advisories) {
      const existing = await trx
        .selectFrom('advisories')
        .select(['id', 'modified', 'summary', 'aliases', 'cvss_vector'])
        .where('source', '=', a.source)
        .where('external_id', '=', a.externalId)
        .forUpdate()
        .executeTakeFirst();
      if (existing && existing.modified.getTime() >= a.modified.getTime()) {
        summary.unchanged.push(a.externalId);
        continue;
      }
      const values = {
        aliases: a.aliases,
        summary: a.summary,
        modified: a.modified,
        cvss_vector: a.cvssVector,
        document: JSON.stringify(a.document),
      };
      const id = existing ? await replaceAdvisory(trx, existing.id, values) : await insertAdvisory(trx, a, values);
      (existing ? summary.updated : summary.created).push(a.externalId);
      await storePackages(trx, id, a);
      await appendAudit(trx, {
        actor,
        action: existing ? 'advisory.update' : 'advisory.import',
        entityType: 'advisory',
        entityId: id,
        before: existing
          ? { modified: existing.modified.toISOString(), summary: existing.summary, cvssVector: existing.cvss_vector }
          : undefined,
        after: {
          source: a.source,
          id: a.externalId,
          modified: a.modified.toISOString(),
          summary: a.summary,
          cvssVector: a.cvssVector,
          packages: a.packages.length,
        },
      });
      ids.push(id);
    }
    return ids;
  });
  // Committed first: a crash before matching loses no advisory, and matching on demand catches up.
  const matching = await runMatching(db, actor, { advisoryIds: changedIds });
  return { ...summary, matching };
}

type MonitoringTrx = Transaction<Database>;
type AdvisoryValues = Pick<
  Insertable<AdvisoriesTable>,
  'aliases' | 'summary' | 'modified' | 'cvss_vector' | 'document'
>;

/** A newer version replaces the stored one: its packages go, and its findings, which matching re-adds where they still hold. */
async function replaceAdvisory(trx: MonitoringTrx, id: number, values: AdvisoryValues): Promise<number> {
  await trx.updateTable('advisories').set(values).where('id', '=', id).execute();
  await trx.deleteFrom('advisory_packages').where('advisory_id', '=', id).execute();
  const dropped = await trx
    .deleteFrom('findings')
    .where('advisory_id', '=', id)
    .returning('vulnerability_id')
    .execute();
  for (const v of new Set(dropped.map((d) => d.vulnerability_id))) await refreshAffected(trx, v);
  return id;
}

async function insertAdvisory(trx: MonitoringTrx, a: ParsedAdvisory, values: AdvisoryValues): Promise<number> {
  const row = await trx
    .insertInto('advisories')
    .values({ source: a.source, external_id: a.externalId, ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function storePackages(trx: MonitoringTrx, id: number, a: ParsedAdvisory): Promise<void> {
  if (a.packages.length === 0) return;
  await trx
    .insertInto('advisory_packages')
    .values(
      a.packages.map((p, ordinal) => ({
        advisory_id: id,
        ordinal,
        package_key: p.packageKey,
        scheme: p.scheme,
        affected: JSON.stringify(p.affected),
      })),
    )
    .execute();
}
