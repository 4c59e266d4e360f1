/** Deterministic repositories for tests (keys derived from labels). Not for production use. */
import { ed25519SignerFromSeed, seedFromLabel } from './keys.ts';
import type { Signer } from './keys.ts';
import { publishRepository, publishRoot } from './publish.ts';
import type { PublishedRepository } from './publish.ts';
import { trustRoot } from './repository-verifier.ts';
import type { RepositoryMetadata } from './repository-verifier.ts';
import type { RepositoryName, RoleName } from './errors.ts';
import type { TargetFile } from './schemas.ts';
import type { TrustedRepositoryState } from './trusted-state.ts';
import { buildSnapshot, buildTimestamp } from './builders.ts';
import { serializeMetadata, signMetadata } from './signatures.ts';

export const NOW = new Date('2026-03-01T12:00:00Z');
export const LATER = new Date('2027-03-01T00:00:00Z');

export function testSigner(label: string): Signer {
  return ed25519SignerFromSeed(seedFromLabel(label));
}

export type RoleSigners = Record<RoleName, Signer[]>;

export function roleSigners(label: string, generation = 1): RoleSigners {
  const k = (role: string, n: number) => testSigner(`${label}/${role}/${generation}/${n}`);
  return {
    root: [k('root', 1), k('root', 2), k('root', 3)],
    targets: [k('targets', 1)],
    snapshot: [k('snapshot', 1)],
    timestamp: [k('timestamp', 1)],
  };
}

/** Root of `signers`: root threshold 2 of 3, the others 1 of 1. */
export function rootBytes(
  signers: RoleSigners,
  options: { version?: number; expires?: Date; signedBy?: readonly Signer[] } = {},
): Uint8Array {
  const policy = (role: RoleName, threshold = 1) => ({ keys: signers[role].map((s) => s.publicKey), threshold });
  return publishRoot({
    version: options.version ?? 1,
    expires: options.expires ?? LATER,
    roles: {
      root: policy('root', 2),
      targets: policy('targets'),
      snapshot: policy('snapshot'),
      timestamp: policy('timestamp'),
    },
    signers: options.signedBy ?? signers.root,
  });
}

export interface TestRepository {
  readonly name: RepositoryName;
  readonly signers: RoleSigners;
  readonly root: Uint8Array;
  readonly trusted: TrustedRepositoryState;
}

export function testRepository(name: RepositoryName): TestRepository {
  const signers = roleSigners(name);
  const root = rootBytes(signers);
  return { name, signers, root, trusted: trustRoot(name, root) };
}

export interface PublishOptions {
  versions?: Partial<Record<'targets' | 'snapshot' | 'timestamp', number>>;
  expires?: Partial<Record<'targets' | 'snapshot' | 'timestamp', Date>>;
  signers?: Partial<RoleSigners>;
}

export function publish(
  repo: { signers: RoleSigners },
  targets: Record<string, TargetFile>,
  options: PublishOptions = {},
): PublishedRepository {
  const role = (name: 'targets' | 'snapshot' | 'timestamp') => ({
    version: options.versions?.[name] ?? 1,
    expires: options.expires?.[name] ?? LATER,
    signers: options.signers?.[name] ?? repo.signers[name],
  });
  return publishRepository({
    targets: { ...role('targets'), targets },
    snapshot: role('snapshot'),
    timestamp: role('timestamp'),
  });
}

export function asMetadata(published: PublishedRepository, roots: Uint8Array[] = []): RepositoryMetadata {
  return { roots, ...published };
}

/** Re-encodes a metadata file after `edit` changed its parsed JSON (signatures left as they were). */
export function tamper(
  bytes: Uint8Array,
  edit: (json: { signatures: { keyid: string; sig: string }[]; signed: Record<string, unknown> }) => void,
): Uint8Array {
  const json = JSON.parse(new TextDecoder().decode(bytes));
  edit(json);
  return new TextEncoder().encode(JSON.stringify(json));
}

/** Snapshot and timestamp signed over given targets bytes (e.g. tampered ones). */
export function chainOver(
  repo: { signers: RoleSigners },
  targetsBytes: Uint8Array,
  targetsVersion = 1,
): { snapshot: Uint8Array; timestamp: Uint8Array } {
  const snapshot = serializeMetadata(
    signMetadata(
      buildSnapshot({ version: 1, expires: LATER, targets: { version: targetsVersion, bytes: targetsBytes } }),
      repo.signers.snapshot,
    ),
  );
  const timestamp = serializeMetadata(
    signMetadata(
      buildTimestamp({ version: 1, expires: LATER, snapshot: { version: 1, bytes: snapshot } }),
      repo.signers.timestamp,
    ),
  );
  return { snapshot, timestamp };
}
