import type { Actor } from '../audit/service.ts';
import type { Db } from '../db/database.ts';
import type { KeySet } from '../keys/key-set.ts';
import { publishImageRepository } from '../tuf-repo/image-repository.ts';
import { decideAuthorization } from './service.ts';
import type { AuthorizationInput, Release } from './service.ts';

/**
 * The approver's decision, as the API and the dashboard both take it: an authorisation re-signs the
 * Image repository at once when this process holds the keys.
 */
export async function decideAndPublish(
  db: Db,
  keys: KeySet | undefined,
  actor: Actor,
  id: number,
  input: AuthorizationInput,
): Promise<Release> {
  const release = await decideAuthorization(db, actor, id, input);
  if (input.decision === 'authorized' && keys) await publishAuthorised(db, keys, release.id);
  return release;
}

/**
 * Re-signs the Image repository right after an authorisation, so vehicles can verify the release
 * before any campaign starts. The decision is already committed: a failure (e.g. the offline
 * targets key is not on this host) is logged and the dispatcher's next publish catches up.
 */
async function publishAuthorised(db: Db, keys: KeySet, releaseId: number): Promise<void> {
  try {
    await publishImageRepository(db, keys);
  } catch (error) {
    console.warn(`release ${releaseId}: authorised, Image repository not re-signed yet: ${(error as Error).message}`);
  }
}
