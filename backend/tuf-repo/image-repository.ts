import type { TargetFile } from '@ota/protocol/tuf';
import { buildImageTarget } from '@ota/protocol/uptane';
import type { KeySet } from '../keys/key-set.ts';
import type { Db } from '../db/database.ts';
import { ensureCodeSignatures } from './code-signing.ts';
import { ensureTargetsPublished } from './publish-targets.ts';
import type { RepositoryVersions } from './publish-targets.ts';
import { imageTargetName } from './target-name.ts';

/** Release states whose images the OEM has authorised for campaigns. */
export const PUBLISHED_RELEASE_STATES = ['authorized', 'effective'] as const;

/** Every image of every authorised release, as Image repository targets. */
export async function authorisedImageTargets(db: Db, keys: KeySet): Promise<Record<string, TargetFile>> {
  const images = await db
    .selectFrom('release_images as i')
    .innerJoin('releases as r', 'r.id', 'i.release_id')
    .select(['i.release_id', 'i.sha256', 'i.length', 'i.file_name', 'i.hardware_ids', 'i.version', 'r.hardware_id'])
    .where('r.state', 'in', [...PUBLISHED_RELEASE_STATES])
    .orderBy('i.release_id')
    .orderBy('i.sha256')
    .execute();
  const signatures = await ensureCodeSignatures(
    db,
    keys.codeSigning,
    images.map((i) => i.sha256),
  );
  const targets: Record<string, TargetFile> = {};
  for (const image of images) {
    targets[imageTargetName(image.hardware_id, image.version, image.file_name)] = buildImageTarget(
      { length: Number(image.length), sha256: image.sha256 },
      {
        hardwareIds: image.hardware_ids,
        version: image.version,
        releaseId: String(image.release_id),
        ecuSignature: signatures.get(image.sha256)!,
      },
    );
  }
  return targets;
}

/**
 * Re-signs the Image repository when what is authorised changed (or a key rotated): targets,
 * snapshot and timestamp each get the next version. Call it when a release is authorised.
 * Signing targets needs the offline targets key(s) to be present in the keys directory.
 */
export async function publishImageRepository(
  db: Db,
  keys: KeySet,
  now: Date = new Date(),
): Promise<RepositoryVersions> {
  return ensureTargetsPublished(db, keys, 'image', '', await authorisedImageTargets(db, keys), now);
}
