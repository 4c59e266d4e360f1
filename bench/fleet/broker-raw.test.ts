// The fleet bench's peers on a real Mosquitto: each round moves every message, and the delivered round
// ends only once its subscriber has them all.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto } from '../../test/support/mosquitto.ts';
import type { TestMosquitto } from '../../test/support/mosquitto.ts';
import { brokerRawRates, offerSize } from './broker-raw.ts';

let broker: TestMosquitto;
beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, why: "the fleet bench's raw-rate test" });
});
afterAll(() => broker.close());

describe('brokerRawRates', () => {
  it('publishes every message in each round, and the delivered rounds to a subscriber that gets them all', async () => {
    // A bystander on every raw topic sees each message of both kinds of round once.
    const spy = await mqtt.connectAsync(broker.url, { clientId: 'raw-spy', log: () => undefined });
    let seen = 0;
    spy.on('message', () => seen++);
    await spy.subscribeAsync('bench/raw/#', { qos: 1 });
    const rates = await brokerRawRates(broker.url, 2000, offerSize(1), 2);
    await expect.poll(() => seen, { timeout: 30_000 }).toBe(2 * 2 * 2000);
    await spy.endAsync();
    expect(rates.published).toHaveLength(2);
    expect(rates.delivered).toHaveLength(2);
    for (const rate of [...rates.published, ...rates.delivered]) expect(rate).toBeGreaterThan(0);
  }, 120_000);
});
