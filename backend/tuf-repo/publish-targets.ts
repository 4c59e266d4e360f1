import { canonicalize, publishRepository } from '@ota/protocol/tuf';
import type { TargetFile } from '@ota/protocol/tuf';
import type { Db } from '../db/database.ts';
import type { KeySet } from '../keys/key-set.ts';
import { expiresAt, expiresSoon } from './expiry.ts';
import { insertMetadata, latestMetadata } from './metadata-store.ts';
import type { Repository } from './metadata-store.ts';
import { refreshOnlineRoles } from './refresh-online.ts';
import { ensureRoot } from './root.ts';

export interface RepositoryVersions {
  readonly root: number;
  readonly targets: number;
  readonly snapshot: number;
  readonly timestamp: number;
  /** Whether this call signed new metadata. */
  readonly published: boolean;
}

function signedTargetsOf(bytes: Uint8Array): unknown {
  return (JSON.parse(new TextDecoder().decode(bytes)) as { signed: { targets: unknown } }).signed.targets;
}

/**
 * Makes the latest targets metadata of one repository scope (the Image repository: scope '';
 * the Director: the VIN) say exactly `targets`. When they already do, the root did not change and
 * targets is not about to expire, only snapshot and timestamp are re-signed if due (online keys);
 * otherwise targets, snapshot and timestamp are all signed anew with the next versions.
 */
export async function ensureTargetsPublished(
  db: Db,
  keys: KeySet,
  repository: Repository,
  scope: string,
  targets: Readonly<Record<string, TargetFile>>,
  now: Date,
): Promise<RepositoryVersions> {
  const roleKeys = keys[repository];
  const root = await ensureRoot(db, keys, repository, now);
  const [lastTargets, lastSnapshot, lastTimestamp] = await Promise.all([
    latestMetadata(db, repository, scope, 'targets'),
    latestMetadata(db, repository, scope, 'snapshot'),
    latestMetadata(db, repository, scope, 'timestamp'),
  ]);
  if (
    !root.changed &&
    lastTargets &&
    lastSnapshot &&
    lastTimestamp &&
    !expiresSoon(lastTargets.bytes, 'targets', now) &&
    canonicalize(signedTargetsOf(lastTargets.bytes)) === canonicalize(targets)
  ) {
    const current = { targets: lastTargets, snapshot: lastSnapshot, timestamp: lastTimestamp };
    const refreshed = await refreshOnlineRoles(
      db,
      repository,
      scope,
      current,
      { snapshot: roleKeys.snapshot.signers, timestamp: roleKeys.timestamp.signers },
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
    signers: roleKeys[name].signers,
  });
  const files = publishRepository({
    targets: { ...role('targets'), targets: { ...targets } },
    snapshot: role('snapshot'),
    timestamp: role('timestamp'),
  });
  await insertMetadata(
    db,
    (['targets', 'snapshot', 'timestamp'] as const).map((name) => ({
      repository,
      scope,
      role: name,
      version: versions[name],
      bytes: files[name],
    })),
  );
  return { root: root.version, ...versions, published: true };
}
