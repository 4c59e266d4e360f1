import type { TargetFile } from '@ota/protocol/tuf';
import type { Db } from '../db/database.ts';
import type { KeySet } from '../keys/key-set.ts';
import { ensureTargetsPublished } from './publish-targets.ts';
import type { RepositoryVersions } from './publish-targets.ts';

/**
 * The Director metadata of one vehicle (scope = VIN): targets naming what it must install now,
 * with snapshot and timestamp over it, all signed with the Director's online keys. Idempotent:
 * when the vehicle's latest targets already say exactly this, nothing new is signed.
 */
export async function ensureDirectorMetadata(
  db: Db,
  keys: KeySet,
  vin: string,
  targets: Readonly<Record<string, TargetFile>>,
  now: Date = new Date(),
): Promise<RepositoryVersions> {
  return ensureTargetsPublished(db, keys, 'director', vin, targets, now);
}
