import { canonicalize } from '../../protocol/tuf/canonical-json.ts';
import { publishRepository } from '../../protocol/tuf/publish.ts';
import type { TargetFile } from '../../protocol/tuf/schemas.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { DeliveryDb } from '../delivery/schema.ts';
import { expiresAt, expiresSoon } from './expiry.ts';
import { refreshOnlineRoles } from './refresh-online.ts';
import { insertMetadata, latestMetadata } from './metadata-store.ts';
import { ensureRoot } from './root.ts';

export interface DirectorVersions {
  readonly root: number;
  readonly targets: number;
  readonly snapshot: number;
  readonly timestamp: number;
}

function signedTargetsOf(bytes: Uint8Array): unknown {
  return (JSON.parse(new TextDecoder().decode(bytes)) as { signed: { targets: unknown } }).signed.targets;
}

/**
 * The Director metadata of one vehicle (scope = VIN): targets naming what it must install now,
 * with snapshot and timestamp over it, all signed with the Director's online keys. Idempotent:
 * when the vehicle's latest targets already say exactly this, nothing new is signed.
 */
export async function ensureDirectorMetadata(
  db: DeliveryDb,
  keys: KeySet,
  vin: string,
  targets: Readonly<Record<string, TargetFile>>,
  now: Date = new Date(),
): Promise<DirectorVersions> {
  const root = await ensureRoot(db, keys, 'director', now);
  const [lastTargets, lastSnapshot, lastTimestamp] = await Promise.all([
    latestMetadata(db, 'director', vin, 'targets'),
    latestMetadata(db, 'director', vin, 'snapshot'),
    latestMetadata(db, 'director', vin, 'timestamp'),
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
      'director',
      vin,
      current,
      { snapshot: keys.director.snapshot.signers, timestamp: keys.director.timestamp.signers },
      now,
    );
    return {
      root: root.version,
      targets: lastTargets.version,
      snapshot: refreshed?.snapshot ?? lastSnapshot.version,
      timestamp: refreshed?.timestamp ?? lastTimestamp.version,
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
    signers: keys.director[name].signers,
  });
  const files = publishRepository({
    targets: { ...role('targets'), targets: { ...targets } },
    snapshot: role('snapshot'),
    timestamp: role('timestamp'),
  });
  await insertMetadata(db, [
    { repository: 'director', scope: vin, role: 'targets', version: versions.targets, bytes: files.targets },
    { repository: 'director', scope: vin, role: 'snapshot', version: versions.snapshot, bytes: files.snapshot },
    { repository: 'director', scope: vin, role: 'timestamp', version: versions.timestamp, bytes: files.timestamp },
  ]);
  return { root: root.version, ...versions };
}
