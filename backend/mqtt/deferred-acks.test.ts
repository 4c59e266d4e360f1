/**
 * Deferred acknowledgements on a real Mosquitto (started by the test), in either protocol version:
 * holding as many unacknowledged reports as its holder admits, the client reads nothing more (on
 * 3.1.1 the broker sends past the bound); a publish of its own made meanwhile completes once held
 * reports are acknowledged (the backend publishes offers while it holds reports), and the rest come in.
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
    // 3.1.1 has no Receive Maximum: the broker sends more than the bound, and the client pauses reading at it.
    { version: 4 as const, reports: MAX_UNACKED + 3 },
  ])(
    `MQTT $version: a client holding ${MAX_UNACKED} unacknowledged reports completes a QoS 1 publish once it acknowledges`,
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
      let acked = 0;
      const ackAll = () => {
        for (const ack of held.splice(0)) {
          ack();
          acked++;
        }
      };
      backend.onMessage((_topic, _payload, ack) => held.push(ack));
      const readOn = backend.pauseReadingWhile(() => held.length >= MAX_UNACKED);
      await backend.subscribeShared(`${topic}/+`, 'deferred');
      const vehicle = await mqtt.connectAsync(broker.url, { clientId: `deferred-vehicle-v${version}` });
      try {
        for (let i = 0; i < reports; i++) await vehicle.publishAsync(`${topic}/${i}`, `report ${i}`, { qos: 1 });
        await waitFor(`${MAX_UNACKED} reports held`, () => held.length >= MAX_UNACKED);
        expect(held).toHaveLength(MAX_UNACKED);

        const offer = backend.publish(`${topic}-offer`, 'offer');
        // Acknowledging lets the broker's answer and the rest in.
        ackAll();
        readOn();
        expect(await within(offer, PUBLISH_WITHIN_MS)).toBeUndefined();
        await waitFor('every report', () => {
          ackAll();
          readOn();
          return acked === reports;
        });
        expect(acked).toBe(reports);
      } finally {
        ackAll();
        await vehicle.endAsync(true);
        await backend.close();
      }
    },
    30_000,
  );
});
