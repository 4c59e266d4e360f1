/**
 * Ingestion holds a bounded number of reports while the database cannot take them: with a cap of
 * MAX_UNACKED, every report counted (progress at QoS 0, which no Receive Maximum limits, too), three
 * times as many reports published during an outage stay with the broker (reading pauses at the cap)
 * instead of piling up in the backend, and every one is stored once the database is back. The outage: the table the
 * reports are written to (malformed results are recorded as rejections) is renamed away.
 * A Mosquitto of the test's own: on a shared broker, other tests' vehicles' reports reach this service
 * too, and their progress (QoS 0, outside the broker's Receive Maximum, dropped only once the cap is
 * reached) made 21 held reports.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryService } from '../../../backend/delivery/service.ts';
import type { DeliveryService } from '../../../backend/delivery/service.ts';
import { vehicleTopic } from '@ota/protocol/messages';
import { startMosquitto, type TestMosquitto } from '../../support/mosquitto.ts';
import { runVinPrefix, testVin } from './fixtures.ts';
import { startHarness } from './harness.ts';
import { waitFor } from '../../support/wait-for.ts';
import type { DeliveryHarness } from './harness.ts';

const MAX_UNACKED = 20;
const REPORTS = 3 * MAX_UNACKED;
/** Malformed progress reports (QoS 0) sent first: held (each becomes a rejection) beside the results. */
const PROGRESS = MAX_UNACKED / 2;
const runId = randomBytes(4).toString('hex');
const vin = testVin(runVinPrefix('BP', runId), 1);

let h: DeliveryHarness;
let broker: TestMosquitto | undefined;
let service: DeliveryService | undefined;
let car: mqtt.MqttClient | undefined;

beforeAll(async () => {
  h = await startHarness();
  // Without MQTT_URL the harness's in-process broker is this test's alone already.
  if (process.env.MQTT_URL) broker = await startMosquitto({ persistence: false, why: 'the backpressure test' });
});
afterAll(async () => {
  await car?.endAsync(true);
  await service?.stop({ leaveGroup: true }).catch(() => undefined);
  await broker?.close();
  await h.close();
});

const stored = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM delivery_rejections WHERE vin = ${vin}`.execute(h.db))
    .rows[0]!.n;

describe('ingestion under backpressure', () => {
  it(`holds at most ${MAX_UNACKED} reports while the database is out, then stores all ${PROGRESS + REPORTS}`, async () => {
    service = await startDeliveryService({
      db: h.db,
      keys: h.keys,
      blobs: h.blobs,
      brokerUrl: broker?.url ?? h.brokerUrl,
      clientId: `backpressure-${runId}`,
      sharedGroup: `backpressure${runId}`,
      maxUnackedReports: MAX_UNACKED,
      log: () => undefined,
      dispatcher: { tickMs: 60_000 },
      ingester: { flushMs: 10 },
    });
    car = await mqtt.connectAsync(broker?.url ?? h.brokerUrl, {
      clientId: `backpressure-car-${runId}`,
      reconnectPeriod: 200,
    });
    await sql`ALTER TABLE delivery_rejections RENAME TO rejections_away`.execute(h.db);
    // Malformed reports: each is recorded as a rejection, which cannot be written now.
    for (let i = 0; i < PROGRESS; i++)
      await car.publishAsync(vehicleTopic(vin, 'progress'), Buffer.from(`not a progress ${i}`), { qos: 0 });
    for (let i = 0; i < REPORTS; i++)
      await car.publishAsync(vehicleTopic(vin, 'result'), Buffer.from(`not a result ${i}`), { qos: 1 });
    await waitFor(`${MAX_UNACKED} reports held`, async () => service!.ingester.pending >= MAX_UNACKED, 30_000);
    expect(service.ingester.pending).toBe(MAX_UNACKED);
    await sql`ALTER TABLE rejections_away RENAME TO delivery_rejections`.execute(h.db);
    const all = PROGRESS + REPORTS;
    await waitFor(`all ${all} reports stored`, async () => (await stored()) >= all, 90_000);
    expect(await stored()).toBe(all);
    expect(service.ingester.peakPending).toBeLessThanOrEqual(MAX_UNACKED);
  }, 120_000);
});
