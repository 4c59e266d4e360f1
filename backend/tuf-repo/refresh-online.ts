import { buildSnapshot, buildTimestamp, serializeMetadata, signMetadata } from '@ota/protocol/tuf';
import type { Signer } from '@ota/protocol/keys';
import type { Db } from '../db/database.ts';
import { expiresAt, expiresSoon } from './expiry.ts';
import { insertMetadata } from './metadata-store.ts';
import type { Repository, StoredMetadata } from './metadata-store.ts';

export interface PublishedSet {
  readonly targets: StoredMetadata;
  readonly snapshot: StoredMetadata;
  readonly timestamp: StoredMetadata;
}

/**
 * Re-signs snapshot and timestamp over the unchanged targets when either is past half its
 * lifetime, with the online keys only, so clients never see them expire (freeze attack defence
 * without a false alarm). Returns the new versions, or undefined when nothing was due.
 */
export async function refreshOnlineRoles(
  db: Db,
  repository: Repository,
  scope: string,
  current: PublishedSet,
  signers: { snapshot: readonly Signer[]; timestamp: readonly Signer[] },
  now: Date,
): Promise<{ snapshot: number; timestamp: number } | undefined> {
  if (!expiresSoon(current.snapshot.bytes, 'snapshot', now) && !expiresSoon(current.timestamp.bytes, 'timestamp', now))
    return undefined;
  const snapshotVersion = current.snapshot.version + 1;
  const timestampVersion = current.timestamp.version + 1;
  const snapshot = serializeMetadata(
    signMetadata(
      buildSnapshot({ version: snapshotVersion, expires: expiresAt('snapshot', now), targets: current.targets }),
      signers.snapshot,
    ),
  );
  const timestamp = serializeMetadata(
    signMetadata(
      buildTimestamp({
        version: timestampVersion,
        expires: expiresAt('timestamp', now),
        snapshot: { version: snapshotVersion, bytes: snapshot },
      }),
      signers.timestamp,
    ),
  );
  await insertMetadata(db, [
    { repository, scope, role: 'snapshot', version: snapshotVersion, bytes: snapshot },
    { repository, scope, role: 'timestamp', version: timestampVersion, bytes: timestamp },
  ]);
  return { snapshot: snapshotVersion, timestamp: timestampVersion };
}
