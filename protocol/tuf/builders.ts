/** Builders for the four TUF roles; sign the result with signMetadata. */
import { sha256Hex } from './bytes.ts';
import { keyIdOf } from './keys.ts';
import type { TufPublicKey } from './keys.ts';
import type { MetaFile, RootSigned, SnapshotSigned, TargetFile, TargetsSigned, TimestampSigned } from './schemas.ts';
import { formatExpires } from './time.ts';

export const SPEC_VERSION = '1.0.31';

export interface RoleKeyPolicy {
  readonly keys: readonly TufPublicKey[];
  readonly threshold: number;
}

interface Common {
  readonly version: number;
  readonly expires: Date;
}

/** The fields every role's signed part starts with, after checking the version. */
function header<T extends string>(type: T, { version, expires }: Common) {
  if (!Number.isSafeInteger(version) || version < 1)
    throw new RangeError(`version must be a positive integer, got ${version}`);
  return { _type: type, spec_version: SPEC_VERSION, version, expires: formatExpires(expires) };
}

export function buildRoot(
  options: Common & {
    readonly roles: Readonly<Record<'root' | 'targets' | 'snapshot' | 'timestamp', RoleKeyPolicy>>;
    readonly consistentSnapshot?: boolean;
  },
): RootSigned {
  const keys: Record<string, TufPublicKey> = {};
  const roleKeys = (name: string, policy: RoleKeyPolicy) => {
    const keyids = [...new Set(policy.keys.map((key) => keyIdOf(key)))];
    policy.keys.forEach((key) => (keys[keyIdOf(key)] = key));
    if (!Number.isSafeInteger(policy.threshold) || policy.threshold < 1 || policy.threshold > keyids.length) {
      throw new RangeError(
        `${name} threshold ${policy.threshold} must be between 1 and its ${keyids.length} distinct keys`,
      );
    }
    return { keyids, threshold: policy.threshold };
  };
  return {
    ...header('root', options),
    consistent_snapshot: options.consistentSnapshot ?? false,
    keys,
    roles: {
      root: roleKeys('root', options.roles.root),
      targets: roleKeys('targets', options.roles.targets),
      snapshot: roleKeys('snapshot', options.roles.snapshot),
      timestamp: roleKeys('timestamp', options.roles.timestamp),
    },
  };
}

export function buildTargets(
  options: Common & { readonly targets: Readonly<Record<string, TargetFile>> },
): TargetsSigned {
  return {
    ...header('targets', options),
    targets: { ...options.targets },
  };
}

/** What a snapshot or timestamp says about a metadata file: version, length and sha256 of its bytes. */
export function describeMetaFile(version: number, bytes: Uint8Array): MetaFile {
  return { version, length: bytes.length, hashes: { sha256: sha256Hex(bytes) } };
}

export function buildSnapshot(
  options: Common & { readonly targets: { readonly version: number; readonly bytes: Uint8Array } },
): SnapshotSigned {
  return {
    ...header('snapshot', options),
    meta: { 'targets.json': describeMetaFile(options.targets.version, options.targets.bytes) },
  };
}

export function buildTimestamp(
  options: Common & { readonly snapshot: { readonly version: number; readonly bytes: Uint8Array } },
): TimestampSigned {
  return {
    ...header('timestamp', options),
    meta: { 'snapshot.json': describeMetaFile(options.snapshot.version, options.snapshot.bytes) },
  };
}
