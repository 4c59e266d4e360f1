/**
 * The backend's broker client against a real Mosquitto (persistence on) that this test stops and
 * starts: it reconnects by itself, keeps its shared subscription and the reports queued for it,
 * and a report it never acknowledged is delivered again.
 */
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker } from '../../../backend/mqtt/broker-client.ts';
import type { BrokerClient } from '../../../backend/mqtt/broker-client.ts';
import { startMosquitto } from '../../support/mosquitto.ts';
import type { TestMosquitto } from '../../support/mosquitto.ts';
import { waitFor } from '../../support/wait-for.ts';

let broker: TestMosquitto;
const open: (BrokerClient | MqttClient)[] = [];

beforeAll(async () => {
  broker = await startMosquitto({ persistence: true, why: 'the broker restart test' });
});
afterAll(async () => {
  await Promise.all(open.map((c) => ('mqtt' in c ? c.mqtt.endAsync(true) : c.endAsync(true))));
  await broker.close();
});

async function vehicle(clientId: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, { clientId, clean: false, reconnectPeriod: 200 });
  client.on('error', () => undefined);
  open.push(client);
  return client;
}

async function backend(clientId: string, manualAck = false): Promise<BrokerClient> {
  const client = await connectBroker({
    url: broker.url,
    clientId,
    persistentSession: true,
    ...(manualAck ? { manualAck: () => true } : {}),
  });
  open.push(client);
  return client;
}

function received(client: BrokerClient) {
  const seen: string[] = [];
  const acks: (() => void)[] = [];
  client.onMessage((_topic, payload, ack) => {
    seen.push(payload.toString());
    acks.push(ack);
  });
  return { seen, acks };
}

describe('broker client across Mosquitto restarts', () => {
  it('reconnects after the broker restarts, counts it, and publishes and receives again', async () => {
    const server = await backend('backend-restart');
    const inbox = received(server);
    await server.subscribeShared('ota/r/+/up', 'backend');
    const car = await vehicle('vehicle-restart');
    const offers: string[] = [];
    car.on('message', (_t, p) => offers.push(p.toString()));
    await car.subscribeAsync('ota/r/V1/down', { qos: 1 });

    await broker.restart();
    await waitFor('the backend to reconnect', async () => server.reconnects >= 1 && server.mqtt.connected, 20_000);
    await server.publish('ota/r/V1/down', 'offer after restart');
    await waitFor('the vehicle to get the offer', async () => offers.includes('offer after restart'));
    await waitFor('the vehicle to reconnect', async () => car.connected);
    await car.publishAsync('ota/r/V1/up', 'report after restart', { qos: 1 });
    await waitFor('the backend to get the report', async () => inbox.seen.includes('report after restart'));
    expect(server.reconnects).toBe(1);
  });

  it('keeps the shared subscription and the reports queued for a backend that is down across a restart', async () => {
    const first = await backend('backend-queued');
    await first.subscribeShared('ota/q/+/up', 'backend');
    await first.close();
    const car = await vehicle('vehicle-queued');
    await car.publishAsync('ota/q/V2/up', 'sent while the backend was down', { qos: 1 });
    await broker.restart();
    await waitFor('the vehicle to reconnect', async () => car.connected);
    const second = await backend('backend-queued');
    const inbox = received(second);
    await waitFor('the queued report', async () => inbox.seen.includes('sent while the backend was down'));
  });

  it('gets a report again when it did not acknowledge it before its connection was lost', async () => {
    const first = await backend('backend-unacked', true);
    const inbox = received(first);
    await first.subscribeShared('ota/u/+/up', 'backend');
    const car = await vehicle('vehicle-unacked');
    await car.publishAsync('ota/u/V3/up', 'stored', { qos: 1 });
    await car.publishAsync('ota/u/V3/up', 'not stored', { qos: 1 });
    await waitFor('both reports', async () => inbox.seen.length === 2);
    inbox.acks[0]!(); // only the first one was committed when the backend died
    await waitFor('the PUBACK to leave', async () => first.mqtt.queue.length === 0);
    // Nothing further to wait for: a PUBACK is one write on the socket, flushed before end(true) destroys it.
    await new Promise((r) => setImmediate(r));
    await first.mqtt.endAsync(true);
    const second = await backend('backend-unacked', true);
    const again = received(second);
    await waitFor('the redelivery', async () => again.seen.length >= 1);
    expect(again.seen).toEqual(['not stored']);
  });
});
