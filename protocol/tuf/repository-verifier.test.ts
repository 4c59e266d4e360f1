import { describe, expect, it } from 'vitest';
import { buildRoot, buildSnapshot, buildTimestamp } from './builders.ts';
import { MetadataVerificationError } from './errors.ts';
import type { RoleName, VerificationErrorCode } from './errors.ts';
import { keyIdOf } from './keys.ts';
import { trustRoot, verifyRepository } from './repository-verifier.ts';
import type { RepositoryMetadata } from './repository-verifier.ts';
import type { TargetFile } from './schemas.ts';
import { serializeMetadata, signMetadata } from './signatures.ts';
import {
  asMetadata,
  chainOver,
  LATER,
  NOW,
  publish,
  roleSigners,
  rootBytes,
  tamper,
  testRepository,
  testSigner,
} from './test-fixtures.ts';
import type { TrustedRepositoryState } from './trusted-state.ts';

const TARGETS: Record<string, TargetFile> = {
  'brake-1.2.0.bin': { length: 3, hashes: { sha256: 'ab'.repeat(32) }, custom: { note: 'x' } },
};
const repo = testRepository('image');
const EARLIER = new Date('2026-02-01T00:00:00Z');

function verify(metadata: RepositoryMetadata, trusted: TrustedRepositoryState = repo.trusted, now = NOW) {
  return verifyRepository('image', metadata, trusted, now);
}

function expectError(run: () => unknown, code: VerificationErrorCode, role: RoleName): MetadataVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MetadataVerificationError);
    const e = error as MetadataVerificationError;
    expect({ code: e.code, role: e.role, message: e.message }).toMatchObject({ code, role });
    return e;
  }
  throw new Error(`expected ${code} on ${role}, nothing was thrown`);
}

describe('verifyRepository: happy path', () => {
  it('returns the targets and the versions to trust from now on', () => {
    const result = verify(asMetadata(publish(repo, TARGETS, { versions: { targets: 4, snapshot: 3, timestamp: 7 } })));
    expect(result.targets.targets).toEqual(TARGETS);
    expect(result.state).toMatchObject({
      root: { version: 1 },
      timestamp: { version: 7, snapshotVersion: 3 },
      snapshot: { version: 3, metaVersions: { 'targets.json': 4 } },
      targets: { version: 4 },
    });
  });

  it('accepts metadata as text or as objects as well as bytes', () => {
    const published = publish(repo, TARGETS);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    const object = (b: Uint8Array) => JSON.parse(text(b));
    expect(
      verify({
        timestamp: text(published.timestamp),
        snapshot: text(published.snapshot),
        targets: text(published.targets),
      }).targets.version,
    ).toBe(1);
    expect(
      verify({
        timestamp: object(published.timestamp),
        snapshot: object(published.snapshot),
        targets: object(published.targets),
      }).targets.version,
    ).toBe(1);
  });

  it('accepts the same versions again (nothing new published)', () => {
    const metadata = asMetadata(publish(repo, TARGETS));
    const first = verify(metadata);
    expect(verify(metadata, first.state).state).toEqual(first.state);
  });
});

describe('verifyRepository: root rotation (§5.3)', () => {
  const next = roleSigners('image', 2);

  it('follows N -> N+1 -> N+2 when each root is signed by the old and the new root keys', () => {
    const v2 = rootBytes(next, { version: 2, signedBy: [...repo.signers.root.slice(0, 2), ...next.root.slice(0, 2)] });
    const gen3 = roleSigners('image', 3);
    const v3 = rootBytes(gen3, { version: 3, signedBy: [...next.root.slice(1), ...gen3.root.slice(0, 2)] });
    const result = verify(asMetadata(publish({ signers: gen3 }, TARGETS), [v2, v3]));
    expect(result.state.root.version).toBe(3);
    expect(result.state.root.roles.timestamp.keyids).toEqual([gen3.timestamp[0]!.keyId]);
  });

  it('refuses a new root without a threshold of the old root keys', () => {
    const v2 = rootBytes(next, { version: 2, signedBy: [repo.signers.root[0]!, ...next.root] });
    const e = expectError(
      () => verify(asMetadata(publish({ signers: next }, TARGETS), [v2])),
      'threshold_not_met',
      'root',
    );
    expect(e.message).toContain('trusted root version 1');
  });

  it('refuses a new root without a threshold of its own keys', () => {
    const v2 = rootBytes(next, { version: 2, signedBy: [...repo.signers.root, next.root[0]!] });
    const e = expectError(
      () => verify(asMetadata(publish({ signers: next }, TARGETS), [v2])),
      'threshold_not_met',
      'root',
    );
    expect(e.message).toContain('new root version 2 itself');
  });

  it('refuses a root that skips a version', () => {
    const v3 = rootBytes(next, { version: 3, signedBy: [...repo.signers.root, ...next.root] });
    expectError(() => verify(asMetadata(publish({ signers: next }, TARGETS), [v3])), 'version_mismatch', 'root');
  });

  it('refuses a replayed root of the same version', () => {
    expectError(() => verify(asMetadata(publish(repo, TARGETS), [repo.root])), 'version_mismatch', 'root');
  });

  it('refuses a root changed after signing', () => {
    const v2 = rootBytes(next, { version: 2, signedBy: [...repo.signers.root, ...next.root] });
    const forged = tamper(v2, (json) => {
      (json.signed.roles as Record<string, { threshold: number }>).targets!.threshold = 1;
      json.signed.consistent_snapshot = true;
    });
    expectError(() => verify(asMetadata(publish({ signers: next }, TARGETS), [forged])), 'bad_signature', 'root');
  });

  it('refuses an expired final root, but not an expired intermediate one', () => {
    const v2 = rootBytes(next, { version: 2, expires: EARLIER, signedBy: [...repo.signers.root, ...next.root] });
    expectError(() => verify(asMetadata(publish({ signers: next }, TARGETS), [v2])), 'expired', 'root');
    const v3 = rootBytes(next, { version: 3, signedBy: next.root });
    expect(verify(asMetadata(publish({ signers: next }, TARGETS), [v2, v3])).state.root.version).toBe(3);
  });

  it('refuses an expired trusted root when no new root comes', () => {
    const trusted = trustRoot('image', rootBytes(repo.signers, { expires: EARLIER }));
    expectError(() => verify(asMetadata(publish(repo, TARGETS)), trusted), 'expired', 'root');
  });

  it('refuses a root whose threshold exceeds its keys as malformed', () => {
    const root = JSON.parse(new TextDecoder().decode(repo.root)).signed;
    root.roles.snapshot.threshold = 2;
    const bytes = serializeMetadata(signMetadata(root, repo.signers.root));
    const e = expectError(() => trustRoot('image', bytes), 'malformed', 'root');
    expect(e.message).toContain('roles.snapshot.threshold');
  });

  it('refuses a provisioning root that lacks its own threshold', () => {
    expectError(
      () => trustRoot('image', rootBytes(repo.signers, { signedBy: [repo.signers.root[0]!] })),
      'threshold_not_met',
      'root',
    );
  });

  it('recovers from a fast-forward attack once the timestamp key is rotated (§5.3.11)', () => {
    const attacked = verify(
      asMetadata(publish(repo, TARGETS, { versions: { timestamp: 1_000_000, snapshot: 999, targets: 999 } })),
    ).state;
    expectError(() => verify(asMetadata(publish(repo, TARGETS)), attacked), 'rollback', 'timestamp');

    const rotated = {
      ...repo.signers,
      timestamp: [testSigner('new timestamp')],
      snapshot: [testSigner('new snapshot')],
      targets: [testSigner('new targets')],
    };
    const v2 = rootBytes(rotated, { version: 2, signedBy: repo.signers.root });
    const recovered = verify(asMetadata(publish({ signers: rotated }, TARGETS), [v2]), attacked);
    expect(recovered.state).toMatchObject({
      timestamp: { version: 1 },
      snapshot: { version: 1 },
      targets: { version: 1 },
    });
  });

  it('keeps the trusted versions when the root rotates only its own keys', () => {
    const trusted = verify(asMetadata(publish(repo, TARGETS, { versions: { timestamp: 5 } }))).state;
    const rotated = { ...repo.signers, root: next.root };
    const v2 = rootBytes(rotated, { version: 2, signedBy: [...repo.signers.root, ...next.root] });
    expectError(() => verify(asMetadata(publish(repo, TARGETS), [v2]), trusted), 'rollback', 'timestamp');
  });
});

describe('verifyRepository: timestamp (§5.4)', () => {
  it('refuses a timestamp changed after signing', () => {
    const published = publish(repo, TARGETS);
    const timestamp = tamper(published.timestamp, (json) => (json.signed.version = 2));
    expectError(() => verify({ ...published, timestamp }), 'bad_signature', 'timestamp');
  });

  it('refuses a timestamp signed by a key the root does not name for it', () => {
    const published = publish(repo, TARGETS, { signers: { timestamp: repo.signers.snapshot } });
    expectError(() => verify(asMetadata(published)), 'threshold_not_met', 'timestamp');
  });

  it('refuses a timestamp with no signatures at all', () => {
    const published = publish(repo, TARGETS);
    const timestamp = tamper(published.timestamp, (json) => (json.signatures = []));
    expectError(() => verify({ ...published, timestamp }), 'threshold_not_met', 'timestamp');
  });

  it('refuses a lower timestamp version than trusted', () => {
    const trusted = verify(asMetadata(publish(repo, TARGETS, { versions: { timestamp: 5 } }))).state;
    expectError(
      () => verify(asMetadata(publish(repo, TARGETS, { versions: { timestamp: 4 } })), trusted),
      'rollback',
      'timestamp',
    );
  });

  it('refuses a timestamp that lists an older snapshot than trusted', () => {
    const trusted = verify(asMetadata(publish(repo, TARGETS, { versions: { snapshot: 5, timestamp: 5 } }))).state;
    const e = expectError(
      () => verify(asMetadata(publish(repo, TARGETS, { versions: { snapshot: 4, timestamp: 6 } })), trusted),
      'rollback',
      'timestamp',
    );
    expect(e.message).toContain('snapshot 4');
  });

  it('refuses an expired timestamp (freeze attack)', () => {
    expectError(
      () => verify(asMetadata(publish(repo, TARGETS, { expires: { timestamp: NOW } }))),
      'expired',
      'timestamp',
    );
  });

  it('refuses a file of another role in the timestamp slot', () => {
    // Signed by the timestamp key so that only the type gives it away.
    const snapshotTyped = buildSnapshot({
      version: 1,
      expires: LATER,
      targets: { version: 1, bytes: new Uint8Array(1) },
    });
    const published = publish(repo, TARGETS);
    const timestamp = serializeMetadata(signMetadata(snapshotTyped, repo.signers.timestamp));
    expectError(() => verify({ ...published, timestamp }), 'wrong_type', 'timestamp');
  });

  it('refuses metadata of another specification major version', () => {
    const published = publish(repo, TARGETS);
    const ts = buildTimestamp({ version: 1, expires: LATER, snapshot: { version: 1, bytes: published.snapshot } });
    const timestamp = serializeMetadata(signMetadata({ ...ts, spec_version: '2.0.0' }, repo.signers.timestamp));
    expectError(() => verify({ ...published, timestamp }), 'unsupported_spec_version', 'timestamp');
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{"signatures": [')],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['a float in signed', new TextEncoder().encode('{"signatures":[],"signed":{"_type":"timestamp","version":1.5}}')],
    ['no signatures field', new TextEncoder().encode('{"signed":{}}')],
  ])('refuses a timestamp that is %s as malformed', (_what, timestamp) => {
    expectError(() => verify({ ...publish(repo, TARGETS), timestamp }), 'malformed', 'timestamp');
  });

  it('refuses a signed timestamp missing a required field as malformed, naming the field', () => {
    const published = publish(repo, TARGETS);
    const ts = buildTimestamp({ version: 1, expires: LATER, snapshot: { version: 1, bytes: published.snapshot } });
    const { expires: _dropped, ...withoutExpires } = ts;
    const timestamp = serializeMetadata(signMetadata(withoutExpires, repo.signers.timestamp));
    const e = expectError(() => verify({ ...published, timestamp }), 'malformed', 'timestamp');
    expect(e.message).toContain('expires');
  });

  it('refuses an expires that is not YYYY-MM-DDTHH:MM:SSZ', () => {
    const published = publish(repo, TARGETS);
    const ts = buildTimestamp({ version: 1, expires: LATER, snapshot: { version: 1, bytes: published.snapshot } });
    const timestamp = serializeMetadata(
      signMetadata({ ...ts, expires: '2027-03-01T00:00:00.000Z' }, repo.signers.timestamp),
    );
    expectError(() => verify({ ...published, timestamp }), 'malformed', 'timestamp');
  });
});

describe('verifyRepository: snapshot (§5.5)', () => {
  it('refuses a snapshot whose length differs from what the timestamp lists', () => {
    const published = publish(repo, TARGETS);
    const snapshot = new Uint8Array([...published.snapshot, 0x20]);
    expectError(() => verify({ ...published, snapshot }), 'length_mismatch', 'snapshot');
  });

  it('refuses a snapshot whose hash differs from what the timestamp lists', () => {
    const published = publish(repo, TARGETS);
    const other = publish(repo, TARGETS, { versions: { targets: 2 } }).snapshot;
    expect(other.length).toBe(published.snapshot.length);
    expectError(() => verify({ ...published, snapshot: other }), 'hash_mismatch', 'snapshot');
  });

  it('refuses a snapshot signed by the wrong key', () => {
    const published = publish(repo, TARGETS, { signers: { snapshot: repo.signers.timestamp } });
    expectError(() => verify(asMetadata(published)), 'threshold_not_met', 'snapshot');
  });

  it('refuses a snapshot of another version than the timestamp lists', () => {
    const published = publish(repo, TARGETS, { versions: { snapshot: 2 } });
    const timestamp = serializeMetadata(
      signMetadata(
        buildTimestamp({ version: 1, expires: LATER, snapshot: { version: 3, bytes: published.snapshot } }),
        repo.signers.timestamp,
      ),
    );
    expectError(() => verify({ ...published, timestamp }), 'version_mismatch', 'snapshot');
  });

  it('refuses a snapshot listing an older targets version than trusted', () => {
    const trusted = verify(asMetadata(publish(repo, TARGETS, { versions: { targets: 5 } }))).state;
    const e = expectError(
      () =>
        verify(asMetadata(publish(repo, TARGETS, { versions: { targets: 4, snapshot: 2, timestamp: 2 } })), trusted),
      'rollback',
      'snapshot',
    );
    expect(e.message).toContain('targets.json version 4');
  });

  it('refuses a snapshot that no longer lists a file it listed before', () => {
    const published = publish(repo, TARGETS);
    const trusted = { ...verify(asMetadata(published)).state };
    const withExtra = {
      ...trusted,
      snapshot: { version: 1, metaVersions: { 'targets.json': 1, 'delegated.json': 1 } },
    };
    expectError(() => verify(asMetadata(published), withExtra), 'rollback', 'snapshot');
  });

  it('refuses an expired snapshot', () => {
    expectError(
      () => verify(asMetadata(publish(repo, TARGETS, { expires: { snapshot: EARLIER } }))),
      'expired',
      'snapshot',
    );
  });
});

describe('verifyRepository: targets (§5.6)', () => {
  it('refuses targets whose hash differs from what the snapshot lists', () => {
    const published = publish(repo, TARGETS);
    const other = publish(repo, { ...TARGETS, 'b.bin': TARGETS['brake-1.2.0.bin']! }).targets;
    expectError(() => verify({ ...published, targets: other }), 'length_mismatch', 'targets');
    const sameLength = publish(repo, TARGETS, { versions: { targets: 2 } }).targets;
    expectError(() => verify({ ...published, targets: sameLength }), 'hash_mismatch', 'targets');
  });

  it('refuses targets changed after signing even when the snapshot covers the changed bytes', () => {
    const published = publish(repo, TARGETS);
    const forged = tamper(published.targets, (json) => {
      (json.signed.targets as Record<string, TargetFile>)['brake-1.2.0.bin']!.length = 4;
    });
    expectError(() => verify({ targets: forged, ...chainOver(repo, forged) }), 'bad_signature', 'targets');
  });

  it('refuses targets of another version than the snapshot lists', () => {
    const published = publish(repo, TARGETS, { versions: { targets: 2 } });
    expectError(
      () => verify({ targets: published.targets, ...chainOver(repo, published.targets, 3) }),
      'version_mismatch',
      'targets',
    );
  });

  it('refuses a lower targets version than trusted', () => {
    const trusted = verify(asMetadata(publish(repo, TARGETS, { versions: { targets: 3 } }))).state;
    const { snapshot: _s, timestamp: _t, ...targetsOnly } = trusted;
    expectError(
      () => verify(asMetadata(publish(repo, TARGETS, { versions: { targets: 2 } })), targetsOnly),
      'rollback',
      'targets',
    );
  });

  it('refuses expired targets', () => {
    expectError(
      () => verify(asMetadata(publish(repo, TARGETS, { expires: { targets: EARLIER } }))),
      'expired',
      'targets',
    );
  });
});

describe('verifyRepository: thresholds', () => {
  const keys = [testSigner('t/1'), testSigner('t/2'), testSigner('t/3')];
  const signers = { ...repo.signers, targets: keys };
  const policy = (list: typeof keys, threshold = 1) => ({ keys: list.map((s) => s.publicKey), threshold });
  const root2of3 = buildRoot({
    version: 1,
    expires: LATER,
    roles: {
      root: policy(repo.signers.root, 2),
      targets: policy(keys, 2),
      snapshot: policy(repo.signers.snapshot),
      timestamp: policy(repo.signers.timestamp),
    },
  });
  const trusted = trustRoot('image', serializeMetadata(signMetadata(root2of3, repo.signers.root)));

  it('accepts two of three targets keys', () => {
    const published = publish({ signers }, TARGETS, { signers: { targets: [keys[0]!, keys[2]!] } });
    expect(verify(asMetadata(published), trusted).targets.version).toBe(1);
  });

  it('counts a key that signed twice once', () => {
    const published = publish({ signers }, TARGETS, { signers: { targets: [keys[0]!] } });
    const doubled = tamper(published.targets, (json) => json.signatures.push({ ...json.signatures[0]! }));
    expectError(
      () => verify({ targets: doubled, ...chainOver(repo, doubled) }, trusted),
      'threshold_not_met',
      'targets',
    );
  });

  it('counts two key ids holding the same public key once', () => {
    const key = keys[0]!.publicKey;
    const alias = { ...key, keyid_hash_algorithms: ['sha256'] }; // same key, different id
    const aliasId = keyIdOf(alias);
    const root = { ...root2of3, keys: { ...root2of3.keys, [aliasId]: alias } };
    root.roles = { ...root.roles, targets: { keyids: [keys[0]!.keyId, aliasId], threshold: 2 } };
    const aliasTrusted = trustRoot('image', serializeMetadata(signMetadata(root, repo.signers.root)));
    const published = publish({ signers }, TARGETS, { signers: { targets: [keys[0]!] } });
    const doubled = tamper(published.targets, (json) =>
      json.signatures.push({ keyid: aliasId, sig: json.signatures[0]!.sig }),
    );
    expectError(
      () => verify({ targets: doubled, ...chainOver(repo, doubled) }, aliasTrusted),
      'threshold_not_met',
      'targets',
    );
  });

  it('ignores a key whose id is not the hash of the key', () => {
    const fakeId = 'ff'.repeat(32);
    const root = { ...root2of3, keys: { ...root2of3.keys, [fakeId]: keys[1]!.publicKey } };
    root.roles = { ...root.roles, targets: { keyids: [keys[0]!.keyId, fakeId], threshold: 2 } };
    const fakeTrusted = trustRoot('image', serializeMetadata(signMetadata(root, repo.signers.root)));
    const published = publish({ signers }, TARGETS, { signers: { targets: [keys[0]!, keys[1]!] } });
    const renamed = tamper(published.targets, (json) => (json.signatures[1]!.keyid = fakeId));
    expectError(
      () => verify({ targets: renamed, ...chainOver(repo, renamed) }, fakeTrusted),
      'bad_signature',
      'targets',
    );
  });

  it('refuses one of two required keys', () => {
    const published = publish({ signers }, TARGETS, { signers: { targets: [keys[1]!] } });
    expectError(() => verify(asMetadata(published), trusted), 'threshold_not_met', 'targets');
  });

  it('refuses a corrupted trusted state as malformed', () => {
    expectError(
      () => verify(asMetadata(publish(repo, TARGETS)), { root: { version: 1 } } as never),
      'malformed',
      'root',
    );
  });
});
