/**
 * The TUF 1.0 client workflow (specification §5.3-5.6) for one repository, with no I/O: the
 * caller hands in every file it fetched and the state it trusted before; it gets back the
 * verified targets and the state to persist, or a MetadataVerificationError.
 */
import type { z } from 'zod';
import { MetadataVerificationError } from './errors.ts';
import type { RepositoryName, RoleName, VerificationErrorCode } from './errors.ts';
import { checkHashes } from './hashes.ts';
import { readMetadata } from './metadata-input.ts';
import type { MetadataInput, RawMetadata } from './metadata-input.ts';
import {
  describeZodError,
  RootSignedSchema,
  SnapshotSignedSchema,
  TargetsSignedSchema,
  TimestampSignedSchema,
} from './schemas.ts';
import type { MetaFile, RootSigned, TargetsSigned } from './schemas.ts';
import { countSignatures } from './signatures.ts';
import { parseExpires } from './time.ts';
import { TrustedRepositoryStateSchema } from './trusted-state.ts';
import type { TrustedRepositoryState } from './trusted-state.ts';

/** Every file a client fetched from one repository in one update cycle. */
export interface RepositoryMetadata {
  /** Root versions N+1, N+2, ... after the trusted root N, in order; empty when the root did not change. */
  readonly roots?: readonly MetadataInput[];
  readonly timestamp: MetadataInput;
  readonly snapshot: MetadataInput;
  readonly targets: MetadataInput;
}

export interface VerifiedRepository {
  readonly targets: TargetsSigned;
  /** Persist this only when the whole update's verification succeeded. */
  readonly state: TrustedRepositoryState;
}

const SUPPORTED_SPEC_MAJOR = '1';

class Checker {
  constructor(
    readonly repository: RepositoryName,
    readonly now: Date,
  ) {}

  fail(code: VerificationErrorCode, role: RoleName, detail: string): never {
    throw new MetadataVerificationError(code, role, this.repository, detail);
  }

  /** Checks `_type` and `spec_version` before the schema, so those failures get their own codes. */
  parse<S extends z.ZodType>(raw: RawMetadata, role: RoleName, schema: S): z.output<S> {
    if (raw.signed._type !== role) this.fail('wrong_type', role, `_type is ${JSON.stringify(raw.signed._type)}`);
    const spec = raw.signed.spec_version;
    if (typeof spec !== 'string' || spec.split('.')[0] !== SUPPORTED_SPEC_MAJOR) {
      this.fail('unsupported_spec_version', role, `spec_version ${JSON.stringify(spec)} is not 1.x`);
    }
    const parsed = schema.safeParse(raw.signed);
    if (!parsed.success) this.fail('malformed', role, describeZodError(parsed.error));
    return parsed.data;
  }

  /** `role`'s threshold of keys listed in `root` signed `raw`. */
  threshold(raw: RawMetadata, role: RoleName, root: RootSigned, whose: string): void {
    const policy = root.roles[role];
    const { valid, invalidKeyIds } = countSignatures(raw.message, raw.signatures, root.keys, policy);
    if (valid >= policy.threshold) return;
    const detail = `${valid} of ${policy.threshold} required signatures by the ${role} keys of ${whose}`;
    if (invalidKeyIds.length > 0)
      this.fail('bad_signature', role, `${detail}; invalid signature by ${invalidKeyIds.join(', ')}`);
    this.fail('threshold_not_met', role, detail);
  }

  notExpired(role: RoleName, signed: { expires: string; version: number }): void {
    const expires = parseExpires(signed.expires);
    if (expires === undefined || this.now.getTime() >= expires.getTime()) {
      this.fail(
        'expired',
        role,
        `version ${signed.version} expired at ${signed.expires} (now ${this.now.toISOString()})`,
      );
    }
  }

  /** Length and hashes of a file against what the role above it says (§5.5.2, §5.6.2). */
  matchesMeta(raw: RawMetadata, role: RoleName, expected: MetaFile): void {
    if (expected.length !== undefined && raw.bytes.length !== expected.length) {
      this.fail('length_mismatch', role, `${raw.bytes.length} bytes, expected ${expected.length}`);
    }
    if (expected.hashes !== undefined) {
      const check = checkHashes(raw.bytes, expected.hashes);
      if (!check.ok) this.fail('hash_mismatch', role, check.reason);
    }
  }

  /** A role as the role above it lists it (§5.5.2-4, §5.6.2-4): length, hashes, signatures, version. */
  listedRole<S extends z.ZodType<{ version: number }>>(
    raw: RawMetadata,
    role: 'snapshot' | 'targets',
    root: RootSigned,
    listed: MetaFile,
    listedBy: RoleName,
    schema: S,
  ): z.output<S> {
    this.matchesMeta(raw, role, listed);
    this.threshold(raw, role, root, `root version ${root.version}`);
    const signed = this.parse(raw, role, schema);
    if (signed.version !== listed.version) {
      this.fail('version_mismatch', role, `version ${signed.version}, ${listedBy} lists ${listed.version}`);
    }
    return signed;
  }
}

function sameKeys(a: RootSigned, b: RootSigned, role: RoleName): boolean {
  const left = a.roles[role];
  const right = b.roles[role];
  const keysOf = (root: RootSigned, ids: readonly string[]) =>
    ids
      .map((id) => root.keys[id]?.keyval.public ?? id)
      .sort()
      .join();
  return left.threshold === right.threshold && keysOf(a, left.keyids) === keysOf(b, right.keyids);
}

/** §5.3: follow root N -> N+1 -> ..., each signed by the old and the new root keys. */
function updateRoot(check: Checker, trusted: RootSigned, roots: readonly MetadataInput[]): RootSigned {
  let root = trusted;
  for (const input of roots) {
    const raw = readMetadata(input, check.repository, 'root');
    check.threshold(raw, 'root', root, `trusted root version ${root.version}`);
    const next = check.parse(raw, 'root', RootSignedSchema);
    check.threshold(raw, 'root', next, `new root version ${next.version} itself`);
    if (next.version !== root.version + 1) {
      check.fail('version_mismatch', 'root', `got version ${next.version}, expected ${root.version + 1}`);
    }
    root = next;
  }
  check.notExpired('root', root); // §5.3.10: only the final root must be current
  return root;
}

/**
 * §5.3.11: when the timestamp or snapshot keys changed, forget the timestamp and snapshot
 * versions (an attacker who held the old keys may have pushed them arbitrarily high); likewise
 * forget the targets and snapshot versions when the targets keys changed.
 */
function forgetAfterRotation(
  state: TrustedRepositoryState,
  before: RootSigned,
  after: RootSigned,
): TrustedRepositoryState {
  let next = { ...state, root: after };
  if (!sameKeys(before, after, 'timestamp') || !sameKeys(before, after, 'snapshot')) {
    next = { ...next, timestamp: undefined, snapshot: undefined };
  }
  if (!sameKeys(before, after, 'targets')) next = { ...next, snapshot: undefined, targets: undefined };
  return next;
}

export function verifyRepository(
  repository: RepositoryName,
  metadata: RepositoryMetadata,
  trustedState: TrustedRepositoryState,
  now: Date,
): VerifiedRepository {
  const check: Checker = new Checker(repository, now);
  const stored = TrustedRepositoryStateSchema.safeParse(trustedState);
  if (!stored.success) check.fail('malformed', 'root', `trusted state: ${describeZodError(stored.error)}`);
  const trusted = stored.data;

  const root = updateRoot(check, trusted.root, metadata.roots ?? []);
  const state = forgetAfterRotation(trusted, trusted.root, root);

  // §5.4 timestamp
  const timestampRaw = readMetadata(metadata.timestamp, repository, 'timestamp');
  check.threshold(timestampRaw, 'timestamp', root, `root version ${root.version}`);
  const timestamp = check.parse(timestampRaw, 'timestamp', TimestampSignedSchema);
  const snapshotMeta = timestamp.meta['snapshot.json'];
  if (state.timestamp !== undefined) {
    if (timestamp.version < state.timestamp.version) {
      check.fail('rollback', 'timestamp', `version ${timestamp.version} is below trusted ${state.timestamp.version}`);
    }
    if (snapshotMeta.version < state.timestamp.snapshotVersion) {
      check.fail(
        'rollback',
        'timestamp',
        `lists snapshot ${snapshotMeta.version}, below trusted ${state.timestamp.snapshotVersion}`,
      );
    }
  }
  check.notExpired('timestamp', timestamp);

  // §5.5 snapshot
  const snapshotRaw = readMetadata(metadata.snapshot, repository, 'snapshot');
  const snapshot = check.listedRole(snapshotRaw, 'snapshot', root, snapshotMeta, 'timestamp', SnapshotSignedSchema);
  for (const [name, version] of Object.entries(state.snapshot?.metaVersions ?? {})) {
    const listed = snapshot.meta[name];
    if (listed === undefined)
      check.fail('rollback', 'snapshot', `${name} (trusted version ${version}) is no longer listed`);
    if (listed.version < version)
      check.fail('rollback', 'snapshot', `${name} version ${listed.version} is below trusted ${version}`);
  }
  check.notExpired('snapshot', snapshot);

  // §5.6 targets
  const targetsMeta = snapshot.meta['targets.json']!; // the schema requires it
  const targetsRaw = readMetadata(metadata.targets, repository, 'targets');
  const targets = check.listedRole(targetsRaw, 'targets', root, targetsMeta, 'snapshot', TargetsSignedSchema);
  if (state.targets !== undefined && targets.version < state.targets.version) {
    check.fail('rollback', 'targets', `version ${targets.version} is below trusted ${state.targets.version}`);
  }
  check.notExpired('targets', targets);

  return {
    targets,
    state: {
      root,
      timestamp: { version: timestamp.version, snapshotVersion: snapshotMeta.version },
      snapshot: {
        version: snapshot.version,
        metaVersions: Object.fromEntries(Object.entries(snapshot.meta).map(([name, meta]) => [name, meta.version])),
      },
      targets: { version: targets.version },
    },
  };
}

/**
 * The state a client starts from: a root shipped with it (provisioning). The root must carry its
 * own threshold of root signatures; its expiry is not checked here, since the next update may
 * rotate it.
 */
export function trustRoot(repository: RepositoryName, rootInput: MetadataInput): TrustedRepositoryState {
  const check: Checker = new Checker(repository, new Date(0));
  const raw = readMetadata(rootInput, repository, 'root');
  const root = check.parse(raw, 'root', RootSignedSchema);
  check.threshold(raw, 'root', root, `root version ${root.version} itself`);
  return { root };
}
