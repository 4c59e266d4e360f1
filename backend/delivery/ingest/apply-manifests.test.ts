import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signVehicleManifest } from '@ota/protocol/manifest';
import type { VehicleManifest } from '@ota/protocol/manifest';
import { generateEd25519Signer } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';
import { insertFleet, testVin } from '../../../test/integration/delivery/fixtures.ts';
import type { TestVehicle } from '../../../test/integration/delivery/fixtures.ts';
import { destroyTestDatabase } from '../../../test/integration/delivery/harness.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import type { TestDatabase } from '../../../test/support/db.ts';
import type { Db } from '../../db/database.ts';
import { applyManifests } from './apply-manifests.ts';

let testDb: TestDatabase;
let db: Db;
let fleet: TestVehicle[];
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  fleet = await insertFleet(db, {
    prefix: 'MAN',
    count: 2,
    hardwareId: 'HW-1',
    baseVersion: '1.0.0',
    baseSha256: () => SHA_A,
  });
});
afterAll(() => destroyTestDatabase(testDb));

function manifest(vin: string, counter: number, version = '1.0.0', sha = SHA_A): VehicleManifest {
  return {
    vin,
    counter,
    nonce: '00'.repeat(16),
    timestamp: '2026-01-01T00:00:00Z',
    ecus: [{ serial: 'ECU-1', hardwareId: 'HW-1', version, imageSha256: sha }],
  };
}
const envelope = (m: VehicleManifest, key: Signer) =>
  JSON.parse(JSON.stringify(signVehicleManifest(m, key))) as unknown;

describe('applyManifests', () => {
  it('accepts a signed manifest, records the counter and the new running version with its history', async () => {
    const [a] = fleet;
    const result = await applyManifests(db, [
      { vin: a!.vin, topic: 't', envelope: envelope(manifest(a!.vin, 5, '2.0.0', SHA_B), a!.signer) },
    ]);
    expect(result).toMatchObject({ accepted: [a!.vin], rejected: [] });
    const ecu = await db
      .selectFrom('ecus')
      .select(['installed_version', 'image_sha256'])
      .where('vin', '=', a!.vin)
      .executeTakeFirstOrThrow();
    expect(ecu).toEqual({ installed_version: '2.0.0', image_sha256: SHA_B });
    const history = await db
      .selectFrom('ecu_version_history')
      .select(['from_version', 'to_version'])
      .where('vin', '=', a!.vin)
      .execute();
    expect(history).toEqual([{ from_version: '1.0.0', to_version: '2.0.0' }]);
  });

  it('rejects a bad signature, an unknown vehicle and a counter that did not go up, changing nothing', async () => {
    const [a, b] = fleet;
    const stranger = testVin('UNK', 1);
    const result = await applyManifests(db, [
      {
        vin: b!.vin,
        topic: 'forged',
        envelope: envelope(manifest(b!.vin, 1, '9.9.9'), generateEd25519Signer().signer),
      },
      { vin: stranger, topic: 'unknown', envelope: envelope(manifest(stranger, 1), a!.signer) },
      { vin: a!.vin, topic: 'replayed', envelope: envelope(manifest(a!.vin, 5, '1.0.0', SHA_A), a!.signer) },
      { vin: a!.vin, topic: 'other-vin', envelope: envelope(manifest(b!.vin, 9), a!.signer) },
    ]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((r) => [r.topic, r.reason])).toEqual([
      ['forged', expect.stringMatching(/bad_signature/)],
      ['unknown', 'unknown vehicle'],
      ['replayed', expect.stringMatching(/stale_counter/)],
      ['other-vin', expect.stringMatching(/bad_signature|names/)],
    ]);
    const versions = await db.selectFrom('ecus').select(['vin', 'installed_version']).orderBy('vin').execute();
    expect(versions.map((v) => v.installed_version).sort()).toEqual(['1.0.0', '2.0.0']);
  });

  it('refuses a manifest when the registered gateway key is malformed, naming it', async () => {
    const [, b] = fleet;
    const ok = await applyManifests(db, [
      { vin: b!.vin, topic: 't', envelope: envelope(manifest(b!.vin, 3), b!.signer) },
    ]);
    expect(ok).toMatchObject({ accepted: [b!.vin], rejected: [] });
    await db.updateTable('vehicles').set({ gateway_public_key: 'AAAA' }).where('vin', '=', b!.vin).execute();
    const bad = await applyManifests(db, [
      { vin: b!.vin, topic: 't', envelope: envelope(manifest(b!.vin, 4), b!.signer) },
    ]);
    expect(bad.rejected.map((r) => r.reason)).toEqual(['the registered gateway key is not an Ed25519 public key']);
  });
});
