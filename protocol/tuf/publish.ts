import { buildRoot, buildSnapshot, buildTargets, buildTimestamp } from './builders.ts';
import type { RoleKeyPolicy } from './builders.ts';
import type { Signer } from './keys.ts';
import type { TargetFile } from './schemas.ts';
import { serializeMetadata, signMetadata } from './signatures.ts';

export interface RoleRelease {
  readonly version: number;
  readonly expires: Date;
  readonly signers: readonly Signer[];
}

/** The published files of one repository update, as the bytes the client receives. */
export interface PublishedRepository {
  readonly targets: Uint8Array;
  readonly snapshot: Uint8Array;
  readonly timestamp: Uint8Array;
}

/** Builds and signs targets, then the snapshot over its bytes, then the timestamp over those. */
export function publishRepository(options: {
  readonly targets: RoleRelease & { readonly targets: Readonly<Record<string, TargetFile>> };
  readonly snapshot: RoleRelease;
  readonly timestamp: RoleRelease;
}): PublishedRepository {
  const { targets: t, snapshot: s, timestamp: ts } = options;
  const targets = serializeMetadata(signMetadata(buildTargets(t), t.signers));
  const snapshot = serializeMetadata(
    signMetadata(buildSnapshot({ ...s, targets: { version: t.version, bytes: targets } }), s.signers),
  );
  const timestamp = serializeMetadata(
    signMetadata(buildTimestamp({ ...ts, snapshot: { version: s.version, bytes: snapshot } }), ts.signers),
  );
  return { targets, snapshot, timestamp };
}

/**
 * A root file. A rotated root (version N+1) must be signed by a threshold of root keys of
 * version N as well as its own: pass both sets in `signers`.
 */
export function publishRoot(
  options: Parameters<typeof buildRoot>[0] & { readonly signers: readonly Signer[] },
): Uint8Array {
  return serializeMetadata(signMetadata(buildRoot(options), options.signers));
}

export type { RoleKeyPolicy };
