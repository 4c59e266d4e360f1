import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker } from './broker-client.ts';
import { startEmbeddedBroker } from './embedded-broker.ts';
import type { EmbeddedBroker } from './embedded-broker.ts';

let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = await startEmbeddedBroker();
});
afterAll(async () => {
  await broker.close();
});

function nextMessage(client: Awaited<ReturnType<typeof connectBroker>>): Promise<{ topic: string; text: string }> {
  return new Promise((resolve) => client.onMessage((topic, payload) => resolve({ topic, text: payload.toString() })));
}

describe('connectBroker against the embedded aedes broker', () => {
  it('falls back to MQTT 3.1.1 and subscribes plainly (no $share on 3.1.1)', async () => {
    const backend = await connectBroker({ url: broker.url, clientId: 'backend-a' });
    const vehicle = await connectBroker({ url: broker.url, clientId: 'vehicle-a' });
    expect(backend.protocolVersion).toBe(4);
    expect(await backend.subscribeShared('ota/t/+/up', 'backend')).toBe('ota/t/+/up');
    const received = nextMessage(backend);
    await vehicle.publish('ota/t/V1/up', 'hello');
    expect(await received).toEqual({ topic: 'ota/t/V1/up', text: 'hello' });
    await Promise.all([backend.close(), vehicle.close()]);
  });

  it('a persistent session receives QoS 1 messages published while it was disconnected', async () => {
    const first = await connectBroker({ url: broker.url, clientId: 'backend-p', persistentSession: true });
    await first.subscribeShared('ota/p/+/up', 'backend');
    await first.close();
    const vehicle = await connectBroker({ url: broker.url, clientId: 'vehicle-p' });
    await vehicle.publish('ota/p/V2/up', 'while away');
    const second = await connectBroker({ url: broker.url, clientId: 'backend-p', persistentSession: true });
    const received = nextMessage(second);
    expect(await received).toEqual({ topic: 'ota/p/V2/up', text: 'while away' });
    await Promise.all([second.close(), vehicle.close()]);
  });

  it('names the broker when it cannot connect', async () => {
    await expect(connectBroker({ url: 'mqtt://127.0.0.1:1', clientId: 'x' })).rejects.toThrow(/127\.0\.0\.1:1/);
  });
});
