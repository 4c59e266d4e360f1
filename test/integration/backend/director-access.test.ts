/**
 * A vehicle's Director metadata (its ECU serials and campaign) is read only by that vehicle, with a
 * request signed by its registered gateway key, or by an API user; the Director root stays public.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';
import { vehicleAuthorization, gatewayKeyFromHex } from '@ota/protocol';
import { ensureDevKeySet } from '../../../backend/keys/generate.ts';
import { loadKeySet } from '../../../backend/keys/key-set.ts';
import { ensureDirectorMetadata } from '../../../backend/tuf-repo/director.ts';
import { vinFor } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
let keysDir: string;
const VIN_A = vinFor(1, 'WVWDRA');
const VIN_B = vinFor(2, 'WVWDRB');
const keyA = ed25519SignerFromSeed(seedFromLabel('director-access A'));
const keyB = ed25519SignerFromSeed(seedFromLabel('director-access B'));
const base = (vin: string) => `/tuf/director/${vin}`;

beforeAll(async () => {
  keysDir = await mkdtemp(join(tmpdir(), 'ota-keys-'));
  await ensureDevKeySet(keysDir);
  const keys = await loadKeySet(keysDir);
  h = await createHarness();
  const manager = (await h.user(['campaign_manager'])).token;
  expect((await h.call('POST', '/api/vehicle-models', manager, { id: 'dir', name: 'Dir' })).status).toBe(201);
  for (const [vin, key] of [
    [VIN_A, keyA],
    [VIN_B, keyB],
  ] as const) {
    const created = await h.call('POST', '/api/vehicles', manager, {
      vin,
      modelId: 'dir',
      modelYear: 2024,
      region: 'EU',
      timeZone: 'UTC',
      gatewayPublicKey: gatewayKeyFromHex(key.publicKey.keyval.public),
      ecus: [{ serial: `SER-${vin}`, name: 'ecm', hardwareId: 'HW-ECM', installedVersion: '1.0.0' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await ensureDirectorMetadata(h.db, keys, vin, {});
  }
});
afterAll(async () => {
  await h.destroy();
  await rm(keysDir, { recursive: true, force: true });
});

const get = (path: string, authorization?: string) =>
  h.app.request(path, authorization ? { headers: { authorization } } : {});
const signed = (signer: Signer, vin: string, path: string, now?: Date) =>
  vehicleAuthorization(signer, { method: 'GET', path, vin }, now);

describe('Director metadata access', () => {
  it('refuses anonymous reads of a vehicle timestamp, snapshot and targets, but serves the root', async () => {
    for (const file of ['timestamp.json', '1.snapshot.json', '1.targets.json']) {
      const res = await get(`${base(VIN_A)}/${file}`);
      expect(res.status, file).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await get(`${base(VIN_A)}/root.json`)).status).toBe(200);
    expect((await get(`${base(VIN_A)}/1.root.json`)).status).toBe(200);
  });

  it('serves the vehicle its own metadata on a request signed with its gateway key', async () => {
    for (const file of ['timestamp.json', '1.snapshot.json', '1.targets.json']) {
      const path = `${base(VIN_A)}/${file}`;
      const res = await get(path, signed(keyA, VIN_A, path));
      expect(res.status, file).toBe(200);
      const body = (await res.json()) as { signed: { _type: string } };
      expect(body.signed._type).toBe(file.replace(/^\d+\.|\.json$/g, ''));
    }
  });

  it('refuses another vehicle, a forged or stale signature, and a signature made for another path', async () => {
    const path = `${base(VIN_A)}/1.targets.json`;
    expect((await get(path, signed(keyB, VIN_B, path))).status).toBe(403);
    expect((await get(path, signed(keyB, VIN_A, path))).status).toBe(401);
    const stale = new Date(Date.now() - 10 * 60_000);
    expect((await get(path, signed(keyA, VIN_A, path, stale))).status).toBe(401);
    const other = `${base(VIN_A)}/timestamp.json`;
    expect((await get(path, signed(keyA, VIN_A, other))).status).toBe(401);
    expect((await get(path, 'Bearer ota_not-a-real-token-at-all')).status).toBe(401);
  });

  it('serves any vehicle metadata to an API user', async () => {
    const auditor = (await h.user(['auditor'])).token;
    const res = await get(`${base(VIN_B)}/1.targets.json`, `Bearer ${auditor}`);
    expect(res.status).toBe(200);
  });
});
