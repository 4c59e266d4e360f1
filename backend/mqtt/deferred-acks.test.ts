/**
 * Deferred acknowledgements on a real Mosquitto (started by the test): holding as many unacknowledged
 * reports as the client allows must not stop it from reading the broker's acknowledgements of its
 * own publishes (the backend publishes offers while it holds reports), in either protocol version.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto } from '../../test/support/mosquitto.ts';
import type { TestMosquitto } from '../../test/support/mosquitto.ts';
import { connectBroker } from './broker-client.ts';
import type { Ack } from './broker-client.ts';

const MAX_UNACKED = 5;
/** Generous: a PUBACK takes milliseconds; a client that stopped reading never gets it. */
const PUBLISH_WITHIN_MS = 10_000;

let broker: TestMosquitto;
beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, why: 'the deferred acknowledgement test' });
});
afterAll(() => broker.close());

/** Resolves with `promise`'s outcome, or 'timed out' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('deferred acknowledgements', () => {
  it.each([
    { version: 5 as const, reports: MAX_UNACKED },
    // 3.1.1 has no Receive Maximum: the broker sends more than the cap, and the client pauses reading at it.
    { version: 4 as const, reports: MAX_UNACKED + 3 },
  ])(
    `MQTT $version: a client holding ${MAX_UNACKED} unacknowledged reports still completes a QoS 1 publish`,
    async ({ version, reports }) => {
      const topic = `deferred/v${version}`;
      const backend = await connectBroker({
        url: broker.url,
        clientId: `deferred-backend-v${version}`,
        protocolVersion: version,
        manualAck: (t) => t.startsWith(`${topic}/`),
        maxUnacked: MAX_UNACKED,
      });
      const held: Ack[] = [];
      backend.onMessage((_topic, _payload, ack) => held.push(ack));
      await backend.subscribeShared(`${topic}/+`, 'deferred');
      const vehicle = await mqtt.connectAsync(broker.url, { clientId: `deferred-vehicle-v${version}` });
      try {
        for (let i = 0; i < reports; i++) await vehicle.publishAsync(`${topic}/${i}`, `report ${i}`, { qos: 1 });
        await waitFor(`${MAX_UNACKED} reports held`, () => held.length >= MAX_UNACKED);
        expect(held).toHaveLength(MAX_UNACKED);

        expect(await within(backend.publish(`${topic}-offer`, 'offer'), PUBLISH_WITHIN_MS)).toBeUndefined();

        // Acknowledging lets the rest in (acknowledging one twice does nothing).
        await waitFor('every report', () => {
          for (const ack of held) ack();
          return held.length === reports;
        });
        expect(held).toHaveLength(reports);
      } finally {
        for (const ack of held) ack();
        await vehicle.endAsync(true);
        await backend.close();
      }
    },
    30_000,
  );
});
