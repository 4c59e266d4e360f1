import { publishRepository } from '../../protocol/tuf/publish.ts';
import type { TargetFile } from '../../protocol/tuf/schemas.ts';
import { buildImageTarget } from '../../protocol/uptane/targets.ts';
import { canonicalize } from '../../protocol/tuf/canonical-json.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { DeliveryDb } from '../delivery/schema.ts';
import { ensureCodeSignatures } from './code-signing.ts';
import { expiresAt, expiresSoon } from './expiry.ts';
import { refreshOnlineRoles } from './refresh-online.ts';
import { insertMetadata, latestMetadata } from './metadata-store.ts';
import { ensureRoot } from './root.ts';
import { imageTargetName } from './target-name.ts';

/** Release states whose images the OEM has authorised for campaigns. */
export const PUBLISHED_RELEASE_STATES = ['authorized', 'effective'] as const;

export interface ImageRepositoryVersions {
  readonly root: number;
  readonly targets: number;
  readonly snapshot: number;
  readonly timestamp: number;
  /** Whether this call signed new metadata. */
  readonly published: boolean;
}

/** Every image of every authorised release, as Image repository targets. */
export async function authorisedImageTargets(db: DeliveryDb, keys: KeySet): Promise<Record<string, TargetFile>> {
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

function signedTargetsOf(bytes: Uint8Array): unknown {
  return (JSON.parse(new TextDecoder().decode(bytes)) as { signed: { targets: unknown } }).signed.targets;
}

/**
 * Re-signs the Image repository when what is authorised changed (or a key rotated): targets,
 * snapshot and timestamp each get the next version. Call it when a release is authorised.
 * Signing targets needs the offline targets key(s) to be present in the keys directory.
 */
export async function publishImageRepository(
  db: DeliveryDb,
  keys: KeySet,
  now: Date = new Date(),
): Promise<ImageRepositoryVersions> {
  const root = await ensureRoot(db, keys, 'image', now);
  const targets = await authorisedImageTargets(db, keys);
  const [lastTargets, lastSnapshot, lastTimestamp] = await Promise.all([
    latestMetadata(db, 'image', '', 'targets'),
    latestMetadata(db, 'image', '', 'snapshot'),
    latestMetadata(db, 'image', '', 'timestamp'),
  ]);
  const unchanged =
    !root.changed &&
    lastTargets &&
    lastSnapshot &&
    lastTimestamp &&
    !expiresSoon(lastTargets.bytes, 'targets', now) &&
    canonicalize(signedTargetsOf(lastTargets.bytes)) === canonicalize(targets);
  if (unchanged) {
    const current = { targets: lastTargets, snapshot: lastSnapshot, timestamp: lastTimestamp };
    const refreshed = await refreshOnlineRoles(
      db,
      'image',
      '',
      current,
      { snapshot: keys.image.snapshot.signers, timestamp: keys.image.timestamp.signers },
      now,
    );
    return {
      root: root.version,
      targets: lastTargets.version,
      snapshot: refreshed?.snapshot ?? lastSnapshot.version,
      timestamp: refreshed?.timestamp ?? lastTimestamp.version,
      published: refreshed !== undefined,
    };
  }
  const versions = {
    targets: (lastTargets?.version ?? 0) + 1,
    snapshot: (lastSnapshot?.version ?? 0) + 1,
    timestamp: (lastTimestamp?.version ?? 0) + 1,
  };
  const role = (name: 'targets' | 'snapshot' | 'timestamp') => ({
    version: versions[name],
    expires: expiresAt(name, now),
    signers: keys.image[name].signers,
  });
  const files = publishRepository({
    targets: { ...role('targets'), targets },
    snapshot: role('snapshot'),
    timestamp: role('timestamp'),
  });
  await insertMetadata(db, [
    { repository: 'image', scope: '', role: 'targets', version: versions.targets, bytes: files.targets },
    { repository: 'image', scope: '', role: 'snapshot', version: versions.snapshot, bytes: files.snapshot },
    { repository: 'image', scope: '', role: 'timestamp', version: versions.timestamp, bytes: files.timestamp },
  ]);
  return { root: root.version, ...versions, published: true };
}
