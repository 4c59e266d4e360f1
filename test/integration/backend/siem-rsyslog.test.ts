import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSecurityEvent, type SecurityEvent, gatewayKeyFromHex } from '@ota/protocol';
import { testSigner } from '@ota/protocol/testing';
import { applySecurityEvents } from '../../../backend/security-events/ingest.ts';
import { SiemForwarder } from '../../../backend/siem/forwarder.ts';
import { startRsyslog, type TestRsyslog } from '../../support/rsyslog.ts';
import { createHarness, type Harness } from './harness.ts';

// Security events to a real rsyslog over TLS (RFC 5425, octet counting), across a collector restart: every
// event arrives exactly once, in RFC 5424 with its OCSF JSON body.

const VIN = 'WVWZZZ1KZAW000031';
const key = testSigner(`siem ${VIN}`);
let h: Harness;
let rsyslog: TestRsyslog;
let forwarder: SiemForwarder;

beforeAll(async () => {
  h = await createHarness();
  const manager = (await h.user(['campaign_manager'])).token;
  expect((await h.call('POST', '/api/vehicle-models', manager, { id: 'siem', name: 'Siem' })).status).toBe(201);
  const created = await h.call('POST', '/api/vehicles', manager, {
    vin: VIN,
    modelId: 'siem',
    modelYear: 2025,
    region: 'EU',
    timeZone: 'UTC',
    gatewayPublicKey: gatewayKeyFromHex(key.publicKey.keyval.public),
    ecus: [{ serial: `SER-${VIN}`, name: 'ecm', hardwareId: 'HW-ECM', installedVersion: '1.0.0' }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  rsyslog = await startRsyslog();
  forwarder = new SiemForwarder(h.db, {
    host: '127.0.0.1',
    port: rsyslog.port,
    caFile: rsyslog.caFile,
    hostname: 'backend-1',
    batch: 3,
    pollMs: 50,
  });
});
afterAll(async () => {
  await forwarder?.stop();
  await rsyslog?.close();
  await h?.destroy();
});

async function ingest(counters: number[]): Promise<void> {
  const events = counters.map((counter) => {
    const e = {
      vin: VIN,
      counter,
      at: '2026-12-04T22:00:00Z',
      severity: 'medium',
      type: 'security_access_failure',
      ecu: 'ecm',
      nrc: 0x35,
      details: `ecm: invalid key "${counter}" [attempt]`,
    } as SecurityEvent;
    const signed = signSecurityEvent(e, key);
    return { vin: VIN, topic: 't', envelope: { ...signed, signatures: [...signed.signatures] } };
  });
  expect((await applySecurityEvents(h.db, events)).stored).toBe(counters.length);
}

/** Polls the collector's file until `count` lines arrived (or the test times out). */
async function received(count: number): Promise<string[]> {
  for (;;) {
    const lines = rsyslog.lines();
    if (lines.length >= count) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const idOf = (line: string) => /eventId="([^"]+)"/.exec(line)?.[1];

describe('SIEM export to rsyslog over TLS', () => {
  it('delivers every event exactly once, across a collector restart', async () => {
    await ingest([0, 1, 2, 3, 4]);
    forwarder.start();
    await received(5);

    await rsyslog.stop();
    await ingest([5, 6, 7, 8, 9, 10, 11]);
    forwarder.wake();
    await rsyslog.start();
    const lines = await received(12);
    // Everything in the outbox is marked once rsyslog wrote all of it: nothing more will come.
    await expect
      .poll(async () =>
        h.db.selectFrom('security_events').select('id').where('siem_delivered_at', 'is', null).execute(),
      )
      .toEqual([]);
    const ids = rsyslog.lines().map(idOf);
    expect(ids.toSorted()).toEqual(Array.from({ length: 12 }, (_, i) => `${VIN}-${i}`).toSorted());

    const first = lines.find((l) => idOf(l) === `${VIN}-0`)!;
    expect(first).toMatch(
      /^<84>1 2026-12-04T22:00:00\.000Z backend-1 ota-backend - security_access_failure \[ota@32473 /,
    );
    const ocsf = JSON.parse(first.slice(first.indexOf('] {') + 2)) as unknown;
    expect(ocsf).toMatchObject({
      class_uid: 2004,
      severity_id: 3,
      metadata: { uid: `${VIN}-0`, version: '1.1.0' },
      device: { uid: VIN },
      finding_info: { types: ['security_access_failure'] },
      unmapped: { counter: 0, ecu: 'ecm', nrc: 0x35 },
      message: 'ecm: invalid key "0" [attempt]',
    });
  });
});
