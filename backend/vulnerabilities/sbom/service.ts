import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { SbomFormat } from '../types.ts';
import { appendAudit } from '../../audit/service.ts';
import type { Actor } from '../../audit/service.ts';
import { invalid, notFound } from '../../http/problem.ts';
import { refreshAffected, runMatching } from '../matching/service.ts';
import type { MatchSummary } from '../matching/service.ts';
import { SbomError } from './component.ts';
import type { ParsedSbom } from './component.ts';
import { parseSbom } from './parse.ts';

export interface StoredSbom {
  id: number;
  releaseId: number;
  imageSha256: string;
  format: SbomFormat;
  specVersion: string;
  components: number;
  unidentified: number;
  matching: MatchSummary;
}

export interface ReleaseComponent {
  imageSha256: string;
  name: string;
  version: string;
  purl: string | null;
  cpe: string | null;
}

/**
 * Stores the SBOM of one image of a release (replacing an earlier one: the components and their
 * findings follow the new document), then matches its components against every advisory.
 */
export async function storeSbom(
  db: Db,
  actor: Actor,
  releaseId: number,
  imageSha256: string,
  document: unknown,
): Promise<StoredSbom> {
  const parsed = await parseOrRefuse(document);
  const id = await db.transaction().execute(async (trx) => {
    const image = await trx
      .selectFrom('release_images')
      .select('sha256')
      .where('release_id', '=', releaseId)
      .where('sha256', '=', imageSha256)
      .executeTakeFirst();
    if (!image) throw notFound(`image ${imageSha256} of release`, releaseId);
    const old = await dropPreviousSbom(trx, releaseId, imageSha256);
    const row = await trx
      .insertInto('sboms')
      .values({
        release_id: releaseId,
        image_sha256: imageSha256,
        format: parsed.format,
        spec_version: parsed.specVersion,
        document: JSON.stringify(document),
        uploaded_by: actor.userId ?? 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertComponents(trx, row.id, parsed.components);
    await appendAudit(trx, {
      actor,
      action: old ? 'sbom.replace' : 'sbom.upload',
      entityType: 'release',
      entityId: releaseId,
      after: {
        imageSha256,
        format: parsed.format,
        specVersion: parsed.specVersion,
        components: parsed.components.length,
      },
    });
    return row.id;
  });
  // Committed first: a crash before matching loses no SBOM, and matching on demand catches up.
  const matching = await runMatching(db, actor, { sbomIds: [id] });
  return {
    id,
    releaseId,
    imageSha256,
    format: parsed.format,
    specVersion: parsed.specVersion,
    components: parsed.components.length,
    unidentified: parsed.unidentified,
    matching,
  };
}

type MonitoringTrx = Transaction<Database>;

/** The parsed document, or a 400 naming the JSON path of what is wrong with it. */
async function parseOrRefuse(document: unknown): Promise<ParsedSbom> {
  try {
    return await parseSbom(document);
  } catch (err) {
    if (err instanceof SbomError)
      throw invalid(`json${err.path === '/' ? '' : err.path.replaceAll('/', '.')}`, err.message);
    throw err;
  }
}

/** Deletes the image's earlier SBOM, if any, and refreshes what its findings affected; true when there was one. */
async function dropPreviousSbom(trx: MonitoringTrx, releaseId: number, imageSha256: string): Promise<boolean> {
  const previous = await trx
    .selectFrom('findings as f')
    .innerJoin('sboms as s', 's.id', 'f.sbom_id')
    .select('f.vulnerability_id')
    .distinct()
    .where('s.release_id', '=', releaseId)
    .where('s.image_sha256', '=', imageSha256)
    .execute();
  const old = await trx
    .deleteFrom('sboms')
    .where('release_id', '=', releaseId)
    .where('image_sha256', '=', imageSha256)
    .returning('id')
    .executeTakeFirst();
  // The old document's findings went with it; what the new one still contains is matched afterwards.
  for (const f of previous) await refreshAffected(trx, f.vulnerability_id);
  return old !== undefined;
}

/** The components, a thousand rows per INSERT. */
async function insertComponents(trx: MonitoringTrx, sbomId: number, components: ParsedSbom['components']) {
  for (let i = 0; i < components.length; i += 1000) {
    await trx
      .insertInto('sbom_components')
      .values(
        components.slice(i, i + 1000).map((c, k) => ({
          sbom_id: sbomId,
          ordinal: i + k,
          name: c.name,
          version: c.version,
          purl: c.purl,
          cpe: c.cpe,
          package_key: c.packageKey,
        })),
      )
      .execute();
  }
}

export async function listReleaseComponents(db: Db, releaseId: number): Promise<ReleaseComponent[]> {
  const release = await db.selectFrom('releases').select('id').where('id', '=', releaseId).executeTakeFirst();
  if (!release) throw notFound('release', releaseId);
  const rows = await db
    .selectFrom('sbom_components as c')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .select(['s.image_sha256', 'c.name', 'c.version', 'c.purl', 'c.cpe'])
    .where('s.release_id', '=', releaseId)
    .orderBy('s.image_sha256')
    .orderBy('c.ordinal')
    .execute();
  return rows.map((r) => ({ imageSha256: r.image_sha256, name: r.name, version: r.version, purl: r.purl, cpe: r.cpe }));
}
