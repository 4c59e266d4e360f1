import { publishRoot, RootSignedSchema } from '@ota/protocol/tuf';
import type { RootSigned } from '@ota/protocol/tuf';
import type { Signer } from '@ota/protocol/keys';
import type { KeySet, RepositoryKind } from '../keys/key-set.ts';
import { TUF_ROLES } from '../keys/key-set.ts';
import type { Db } from '../db/database.ts';
import { expiresAt } from './expiry.ts';
import { insertMetadata, latestMetadata } from './metadata-store.ts';

export interface CurrentRoot {
  readonly version: number;
  readonly signed: RootSigned;
  /** Whether this call published a new root version (first start or a rotated key). */
  readonly changed: boolean;
}

function parseRoot(bytes: Uint8Array): RootSigned {
  return RootSignedSchema.parse((JSON.parse(new TextDecoder().decode(bytes)) as { signed: unknown }).signed);
}

/** Whether the published root names exactly the keys and thresholds of the loaded key set. */
function matchesKeys(root: RootSigned, keys: KeySet, repository: RepositoryKind): boolean {
  return TUF_ROLES.every((role) => {
    const want = keys[repository][role];
    const have = root.roles[role];
    const wantIds = want.signers.map((s) => s.keyId).sort();
    return have.threshold === want.threshold && JSON.stringify([...have.keyids].sort()) === JSON.stringify(wantIds);
  });
}

/**
 * Makes the published root of `repository` name the loaded keys. When they changed (rotate-key),
 * version N+1 is signed by the new root keys and by the retired ones that root N trusted, so a
 * client holding root N can verify N+1.
 */
export async function ensureRoot(db: Db, keys: KeySet, repository: RepositoryKind, now: Date): Promise<CurrentRoot> {
  const latest = await latestMetadata(db, repository, '', 'root');
  const previous = latest ? parseRoot(latest.bytes) : undefined;
  if (latest && previous && matchesKeys(previous, keys, repository)) {
    return { version: latest.version, signed: previous, changed: false };
  }
  const version = (latest?.version ?? 0) + 1;
  const repo = keys[repository];
  const signers: Signer[] = [...repo.root.signers];
  if (previous) {
    const trusted = new Set(previous.roles.root.keyids);
    signers.push(...keys.retiredRoot[repository].filter((s) => trusted.has(s.keyId)));
  }
  const policy = (role: (typeof TUF_ROLES)[number]) => ({
    keys: repo[role].signers.map((s) => s.publicKey),
    threshold: repo[role].threshold,
  });
  const bytes = publishRoot({
    version,
    expires: expiresAt('root', now),
    consistentSnapshot: true,
    roles: {
      root: policy('root'),
      targets: policy('targets'),
      snapshot: policy('snapshot'),
      timestamp: policy('timestamp'),
    },
    signers,
  });
  await insertMetadata(db, [{ repository, scope: '', role: 'root', version, bytes }]);
  return { version, signed: parseRoot(bytes), changed: true };
}
