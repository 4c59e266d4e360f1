import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordInstalledVersions } from '../../../backend/fleet/service.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
let manager: string;
let security: string;
const key = Buffer.alloc(32, 7).toString('base64');

const vehicle = (vin: string, over: Record<string, unknown> = {}) => ({
  vin,
  modelId: 'compact-ev',
  modelYear: 2024,
  region: 'EU',
  ownerRef: 'customer-17',
  tags: ['fleet-a'],
  gatewayPublicKey: key,
  timeZone: 'Europe/Berlin',
  ecus: [
    { serial: 'BMS-001', name: 'bms', hardwareId: 'HW-BMS-1', installedVersion: '1.0.0', asil: 'C' },
    { serial: 'TCU-001', name: 'tcu', hardwareId: 'HW-TCU-2', installedVersion: '3.1.0' },
  ],
  ...over,
});

beforeAll(async () => {
  h = await createHarness();
  manager = (await h.user(['campaign_manager'])).token;
  security = (await h.user(['security_engineer'])).token;
  const model = await h.call('POST', '/api/vehicle-models', manager, {
    id: 'compact-ev',
    name: 'Compact EV',
    endOfSupport: '2036-12-31',
  });
  expect(model.status).toBe(201);
  expect(model.body.endOfSupport).toBe('2036-12-31');
});
afterAll(() => h.destroy());

describe('fleet', () => {
  it('registers a vehicle with its ECUs and records their first versions', async () => {
    const res = await h.call('POST', '/api/vehicles', manager, vehicle('WVWZZZ1KZAW000001'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      vin: 'WVWZZZ1KZAW000001',
      lifecycle: 'active',
      ecus: [{ serial: 'BMS-001', asil: 'C' }, { serial: 'TCU-001' }],
    });
    const history = await h.call('GET', '/api/vehicles/WVWZZZ1KZAW000001/history', manager);
    expect(history.body.items).toHaveLength(2);
    expect(history.body.items[0]).toMatchObject({ fromVersion: null, source: 'registration' });
  });

  it.each([
    ['WVWZZZ1KZAW00000', 'too short'],
    ['WVWZZZ1KZAW0000001', 'too long'],
    ['WVWZZZ1KZAI000001', 'contains I'],
    ['WVWZZZ1KZAO000001', 'contains O'],
    ['WVWZZZ1KZAQ000001', 'contains Q'],
    ['wvwzzz1kzaw000001', 'lower case'],
  ])('refuses VIN %s (%s), naming the field', async (vin) => {
    const res = await h.call('POST', '/api/vehicles', manager, vehicle(vin));
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('json.vin');
  });

  it('refuses a bad public key, an unknown model and duplicate ECU serials', async () => {
    const badKey = await h.call(
      'POST',
      '/api/vehicles',
      manager,
      vehicle('WVWZZZ1KZAW000009', { gatewayPublicKey: 'AAAA' }),
    );
    expect(badKey.body.errors[0].field).toBe('json.gatewayPublicKey');
    const unknownModel = await h.call(
      'POST',
      '/api/vehicles',
      manager,
      vehicle('WVWZZZ1KZAW000009', { modelId: 'nope' }),
    );
    expect(unknownModel.status).toBe(422);
    expect(unknownModel.body.title).toBe('Unknown reference');
    const dup = await h.call(
      'POST',
      '/api/vehicles',
      manager,
      vehicle('WVWZZZ1KZAW000009', {
        ecus: [
          { serial: 'A', name: 'a', hardwareId: 'H', installedVersion: '1' },
          { serial: 'A', name: 'b', hardwareId: 'H', installedVersion: '1' },
        ],
      }),
    );
    expect(dup.status).toBe(422);
    expect((await h.call('GET', '/api/vehicles/WVWZZZ1KZAW000009', manager)).status).toBe(404);
    const again = await h.call('POST', '/api/vehicles', manager, vehicle('WVWZZZ1KZAW000001'));
    expect(again.status).toBe(409);
  });

  it('lists with filters and treats injection-shaped filters as data', async () => {
    await h.call('POST', '/api/vehicles', manager, vehicle('WVWZZZ1KZAW000002', { region: 'US', tags: [] }));
    const eu = await h.call('GET', '/api/vehicles?region=EU', manager);
    expect(eu.body.items.map((v: { vin: string }) => v.vin)).toEqual(['WVWZZZ1KZAW000001']);
    const tagged = await h.call('GET', '/api/vehicles?tag=fleet-a&hardwareId=HW-TCU-2', manager);
    expect(tagged.body.items).toHaveLength(1);
    const evil = await h.call('GET', `/api/vehicles?region=${encodeURIComponent("EU' OR 1=1 --")}`, manager);
    expect(evil.status).toBe(200);
    expect(evil.body.items).toEqual([]);
  });

  it('records reported versions idempotently with history', async () => {
    const report = [{ serial: 'BMS-001', installedVersion: '1.0.1', imageSha256: 'a'.repeat(64) }];
    expect(await recordInstalledVersions(h.db, 'WVWZZZ1KZAW000001', report, 'test')).toEqual({ changed: 1 });
    expect(await recordInstalledVersions(h.db, 'WVWZZZ1KZAW000001', report, 'test')).toEqual({ changed: 0 });
    const history = await h.call('GET', '/api/vehicles/WVWZZZ1KZAW000001/history', manager);
    expect(history.body.items.at(-1)).toMatchObject({ fromVersion: '1.0.0', toVersion: '1.0.1', source: 'test' });
  });

  it('enforces the lifecycle and its effects', async () => {
    const vin = 'WVWZZZ1KZAW000002';
    const transfer = await h.call('POST', `/api/vehicles/${vin}/lifecycle`, security, {
      to: 'ownership_transferred',
      reason: 'sold',
    });
    expect(transfer.status).toBe(200);
    expect(transfer.body).toMatchObject({ lifecycle: 'ownership_transferred', ownerRef: null, gatewayPublicKey: null });
    const retire = await h.call('POST', `/api/vehicles/${vin}/lifecycle`, security, {
      to: 'end_of_life',
      reason: 'scrapped',
    });
    expect(retire.body.lifecycle).toBe('end_of_life');
    const revive = await h.call('POST', `/api/vehicles/${vin}/lifecycle`, security, { to: 'active', reason: 'oops' });
    expect(revive.status).toBe(409);
    expect(revive.body).toMatchObject({ title: 'Illegal state transition', from: 'end_of_life', to: 'active' });
    const noReason = await h.call('POST', `/api/vehicles/${vin}/lifecycle`, security, { to: 'isolated' });
    expect(noReason.body.errors[0].field).toBe('json.reason');
    const audit = await h.call('GET', `/api/audit?entityType=vehicle&entityId=${vin}`, h.adminToken);
    expect(audit.body.items.map((e: { action: string; reason: string | null }) => [e.action, e.reason])).toEqual([
      ['vehicle.register', null],
      ['vehicle.lifecycle', 'sold'],
      ['vehicle.lifecycle', 'scrapped'],
    ]);
  });
});
