import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSecurityEvent, type SecurityEvent, gatewayKeyFromHex } from '@ota/protocol';
import { testSigner } from '@ota/protocol/testing';
import { applySecurityEvents } from '../../../backend/security-events/ingest.ts';
import { createHarness, type Harness } from './harness.ts';

const VIN = 'WVWZZZ1KZAW000021';
const OTHER = 'WVWZZZ1KZAW000022';
const key = testSigner(`security ${VIN}`);
let h: Harness;
let engineer: string;

beforeAll(async () => {
  h = await createHarness();
  engineer = (await h.user(['security_engineer'])).token;
  const manager = (await h.user(['campaign_manager'])).token;
  expect((await h.call('POST', '/api/vehicle-models', manager, { id: 'sec', name: 'Sec' })).status).toBe(201);
  for (const vin of [VIN, OTHER]) {
    const created = await h.call('POST', '/api/vehicles', manager, {
      vin,
      modelId: 'sec',
      modelYear: 2025,
      region: 'EU',
      timeZone: 'UTC',
      gatewayPublicKey: gatewayKeyFromHex(key.publicKey.keyval.public),
      ecus: [{ serial: `SER-${vin}`, name: 'ecm', hardwareId: 'HW-ECM', installedVersion: '1.0.0' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
});
afterAll(() => h.destroy());

const UNSENT = {
  type: 'can_unsent_diagnostic_request',
  bus: 'vcan0',
  canId: 0x7e0,
  serviceId: 0x27,
  details: 'vcan0: diagnostic request 0x27 on 0x7E0 that this gateway did not send',
} as const;
const event = (counter: number, kind: Record<string, unknown> = UNSENT): SecurityEvent =>
  ({ vin: VIN, counter, at: `2026-12-04T22:0${counter}:00Z`, severity: 'high', ...kind }) as SecurityEvent;
const received = (e: SecurityEvent, signer = key, vin = e.vin) => {
  const signed = signSecurityEvent(e, signer);
  return {
    vin,
    topic: `ota/v1/vehicles/${vin}/security-event`,
    envelope: { ...signed, signatures: [...signed.signatures] },
  };
};

describe('security events', () => {
  it('stores a verified event once however often it comes, and refuses forged or misdirected ones', async () => {
    const db = h.db;
    const forged = event(1, {
      type: 'metadata_verification_failure',
      attack: 'bad_signature',
      code: 'bad_signature',
      repository: 'director',
      details: 'director targets: bad_signature',
    });
    const first = await applySecurityEvents(db, [received(event(0)), received(forged), received(event(0))]);
    expect(first).toEqual({ stored: 2, rejected: [] });
    const again = await applySecurityEvents(db, [received(event(0))]);
    expect(again.stored).toBe(0);
    const bad = await applySecurityEvents(db, [
      received(event(2), testSigner('intruder')),
      received(event(3), key, OTHER),
      received({ ...event(4), vin: 'WVWZZZ1KZAW000029' }),
    ]);
    expect(bad.stored).toBe(0);
    expect(bad.rejected.map((r) => r.reason)).toEqual([
      expect.stringContaining('bad_signature'),
      expect.stringContaining(`sent on ${OTHER}'s topic`),
      'unknown vehicle',
    ]);
    const rows = await db.selectFrom('security_events').select(['id', 'counter']).orderBy('counter').execute();
    expect(rows).toEqual([
      { id: `${VIN}-0`, counter: '0' },
      { id: `${VIN}-1`, counter: '1' },
    ]);
  });

  it('lists with filters, and 422 names a bad filter', async () => {
    const all = await h.call('GET', `/api/security-events?vin=${VIN}`, engineer);
    expect(all.body.items.map((e: { id: string }) => e.id)).toEqual([`${VIN}-1`, `${VIN}-0`]);
    const meta = await h.call('GET', '/api/security-events?type=metadata_verification_failure', engineer);
    expect(meta.body.items).toMatchObject([{ id: `${VIN}-1`, event: { attack: 'bad_signature' } }]);
    const page = await h.call('GET', '/api/security-events?limit=1', engineer);
    const next = await h.call('GET', `/api/security-events?limit=1&cursor=${page.body.nextCursor}`, engineer);
    expect(next.body.items.map((e: { id: string }) => e.id)).toEqual([`${VIN}-0`]);
    const since = await h.call('GET', '/api/security-events?from=2026-12-04T22:01:00Z', engineer);
    expect(since.body.items).toHaveLength(1);
    const wrong = await h.call('GET', '/api/security-events?severity=urgent', engineer);
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].field).toBe('query.severity');
  });

  it('proposes actions by rule and carries them out only once confirmed', async () => {
    const detail = await h.call('GET', `/api/security-events/${VIN}-1`, engineer);
    expect(detail.body.proposals.map((p: { action: string }) => p.action)).toEqual(['open_vulnerability']);
    const opened = await h.call('POST', `/api/security-events/${VIN}-1/open-vulnerability`, engineer, {});
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    const vulnerability = await h.call('GET', `/api/vulnerabilities/${opened.body.vulnerabilityId}`, engineer);
    expect(vulnerability.body).toMatchObject({
      phase: 'received',
      title: `Security event metadata_verification_failure on ${VIN}`,
    });
    expect((await h.call('POST', `/api/security-events/${VIN}-1/open-vulnerability`, engineer, {})).status).toBe(409);

    const intruder = await h.call('GET', `/api/security-events/${VIN}-0`, engineer);
    expect(intruder.body.proposals.map((p: { action: string }) => p.action)).toEqual(['isolate_vehicle']);
    const isolated = await h.call('POST', `/api/security-events/${VIN}-0/isolate-vehicle`, engineer, {
      reason: 'unknown tester on the powertrain bus',
    });
    expect(isolated.status, JSON.stringify(isolated.body)).toBe(200);
    expect((await h.call('GET', `/api/vehicles/${VIN}`, engineer)).body.lifecycle).toBe('isolated');
    expect((await h.call('GET', `/api/security-events/${VIN}-0`, engineer)).body.proposals).toEqual([]);
    const manager = (await h.user(['campaign_manager'])).token;
    expect(
      (await h.call('POST', `/api/security-events/${VIN}-0/isolate-vehicle`, manager, { reason: 'x' })).status,
    ).toBe(403);
  });
});
