/**
 * Ingestion acknowledges a report to the broker only after its database commit, never drops a
 * batch that keeps failing, and confirms each stored manifest to its vehicle (`stored`). The
 * database is made to fail by renaming a table the manifest path writes (real PostgreSQL or PGlite).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker } from '../../../backend/mqtt/broker-client.ts';
import { startDeliveryService } from '../../../backend/delivery/service.ts';
import type { DeliveryService } from '../../../backend/delivery/service.ts';
import { decodeMessage, encodeMessage, vehicleTopic, signSecurityEvent } from '@ota/protocol/messages';
import type { MessagePayload } from '@ota/protocol/messages';
import { signVehicleManifest } from '@ota/protocol/manifest';
import { formatExpires } from '@ota/protocol/tuf';
import type { Signer } from '@ota/protocol/keys';
import { testSigner } from '@ota/protocol/testing';
import { insertFleet, runVinPrefix } from './fixtures.ts';
import type { TestVehicle } from './fixtures.ts';
import { harnessServiceOptions, startHarness } from './harness.ts';
import { waitFor } from '../../support/wait-for.ts';
import type { DeliveryHarness } from './harness.ts';

let h: DeliveryHarness;
let vehicle: TestVehicle;
const runId = randomBytes(4).toString('hex');
const clients: MqttClient[] = [];
const services: DeliveryService[] = [];
const logs: string[] = [];

async function startService(): Promise<DeliveryService> {
  const service = await startDeliveryService({
    ...harnessServiceOptions(h, (line) => logs.push(line)),
    clientId: `ingest-test-${runId}`,
    sharedGroup: `ingest${runId}`,
    dispatcher: { tickMs: 60_000 },
    ingester: { flushMs: 10 },
  });
  services.push(service);
  return service;
}

async function connect(clientId: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(h.brokerUrl, { clientId, clean: false, reconnectPeriod: 200 });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

function manifest(counter: number): Uint8Array {
  const signed = signVehicleManifest(
    {
      vin: vehicle.vin,
      counter,
      nonce: randomBytes(16).toString('hex'),
      timestamp: formatExpires(new Date()),
      ecus: [{ serial: 'ECU-1', hardwareId: 'HW-INGEST', version: '1.0.0', imageSha256: 'ab'.repeat(32) }],
    },
    vehicle.signer,
  );
  return encodeMessage('manifest', { signatures: [...signed.signatures], signed: signed.signed });
}

const storedCounter = async () =>
  (
    await h.db
      .selectFrom('vehicle_manifest_counters')
      .select('counter')
      .where('vin', '=', vehicle.vin)
      .executeTakeFirst()
  )?.counter;

const breakDatabase = () => sql`ALTER TABLE vehicle_manifest_counters RENAME TO counters_away`.execute(h.db);
const repairDatabase = () => sql`ALTER TABLE counters_away RENAME TO vehicle_manifest_counters`.execute(h.db);

beforeAll(async () => {
  h = await startHarness();
  const fleet = await insertFleet(h.db, {
    prefix: runVinPrefix('ING', runId),
    count: 1,
    hardwareId: 'HW-INGEST',
    baseVersion: '1.0.0',
    baseSha256: () => 'ab'.repeat(32),
  });
  vehicle = fleet[0]!;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  for (const s of services) await s.stop({ leaveGroup: true }).catch(() => undefined);
  await h.close();
});

describe('ingestion acknowledges after the commit', () => {
  it('keeps retrying a batch whose writes fail, then stores it and confirms it to the vehicle', async () => {
    await startService();
    const car = await connect(`ingest-car-${runId}`);
    const confirmations: MessagePayload<'stored'>[] = [];
    car.on('message', (_t, payload) => confirmations.push(decodeMessage('stored', payload)));
    await car.subscribeAsync(vehicleTopic(vehicle.vin, 'stored'), { qos: 1 });

    await breakDatabase();
    await car.publishAsync(vehicleTopic(vehicle.vin, 'manifest'), Buffer.from(manifest(1)), { qos: 1 });
    // More failed writes than the old ingester allowed (it dropped the batch after 5).
    await waitFor('six failed writes', async () => logs.filter((l) => l.includes('failed')).length >= 6, 25_000);
    expect(confirmations).toEqual([]);
    await repairDatabase();
    await waitFor('the manifest to be stored', async () => Number(await storedCounter()) === 1, 25_000);
    await waitFor('the confirmation', async () => confirmations.length === 1);
    expect(confirmations[0]).toEqual({ kind: 'manifest', counter: 1, status: 'stored' });
  });

  it('stores a security event once however often it is sent, confirms each copy, and refuses a forged one', async () => {
    const car = await connect(`ingest-car3-${runId}`);
    const confirmations: MessagePayload<'stored'>[] = [];
    car.on('message', (_t, payload) => confirmations.push(decodeMessage('stored', payload)));
    await car.subscribeAsync(vehicleTopic(vehicle.vin, 'stored'), { qos: 1 });
    const event = (counter: number, signer: Signer) => {
      const signed = signSecurityEvent(
        {
          vin: vehicle.vin,
          counter,
          at: formatExpires(new Date()),
          severity: 'high',
          type: 'can_unknown_id',
          bus: 'vcan0',
          canId: 0x123,
          details: 'vcan0: frame on 0x123',
        },
        signer,
      );
      return Buffer.from(
        encodeMessage('security-event', { signatures: [...signed.signatures], signed: signed.signed }),
      );
    };
    const topic = vehicleTopic(vehicle.vin, 'security-event');
    await car.publishAsync(topic, event(4, vehicle.signer), { qos: 1 });
    await waitFor('the first confirmation', async () => confirmations.length === 1);
    await car.publishAsync(topic, event(4, vehicle.signer), { qos: 1 });
    await car.publishAsync(topic, event(5, testSigner('intruder')), { qos: 1 });
    await waitFor('three confirmations', async () => confirmations.length === 3);
    expect(confirmations.map((c) => [c.kind, 'counter' in c ? c.counter : null, c.status])).toEqual([
      ['security-event', 4, 'stored'],
      ['security-event', 4, 'stored'],
      ['security-event', 5, 'rejected'],
    ]);
    const rows = await h.testDb.db
      .selectFrom('security_events')
      .select(['id'])
      .where('vin', '=', vehicle.vin)
      .execute();
    expect(rows).toEqual([{ id: `${vehicle.vin}-4` }]);
  });

  it('does not acknowledge a report to the broker before it is stored: after a crash the broker delivers it again', async () => {
    const first = services[0]!;
    const car = await connect(`ingest-car2-${runId}`);
    await breakDatabase();
    await car.publishAsync(vehicleTopic(vehicle.vin, 'manifest'), Buffer.from(manifest(2)), { qos: 1 });
    const before = logs.length;
    await waitFor('a failed write', async () => logs.slice(before).some((l) => l.includes('failed')));
    // The backend's connection dies with the report in memory (as in a SIGKILL) ...
    await first.broker.mqtt.endAsync(true);
    // ... and whoever takes over its session gets the report again: it was never acknowledged.
    // (connectBroker hands over messages that arrive right after the CONNACK, before a listener could be attached.)
    const successor = await connectBroker({
      url: h.brokerUrl,
      clientId: `ingest-test-${runId}`,
      persistentSession: true,
    });
    const redelivered: string[] = [];
    successor.onMessage((topic) => redelivered.push(topic));
    await waitFor('the redelivery', async () => redelivered.length > 0, 20_000);
    await successor.close();
    expect(redelivered).toEqual([vehicleTopic(vehicle.vin, 'manifest')]);
    await repairDatabase();
  });
});
