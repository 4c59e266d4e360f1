// The offer path's ceiling on a real Mosquitto: every vehicle gets exactly its own offer once, and
// the backends' stand-in gets the `downloading` report of each.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPIC_PREFIX } from '@ota/protocol/messages';
import { startMosquitto } from '../../test/support/mosquitto.ts';
import type { TestMosquitto } from '../../test/support/mosquitto.ts';
import { offerPathCeiling } from './offer-path-ceiling.ts';
import { vinOf } from './seed.ts';

const fleet = { prefix: 'PEAKS', size: 6000, hardwareId: 'HW-PEAKS' };

let broker: TestMosquitto;
beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, why: "the fleet bench's offer-path ceiling test" });
});
afterAll(() => broker.close());

describe('offerPathCeiling', () => {
  it("offers to each vehicle once, in more offers than the dispatcher's window holds, and its progress comes back", async () => {
    const spy = await mqtt.connectAsync(broker.url, { clientId: 'ceiling-spy', log: () => undefined });
    const offered = new Map<string, number>();
    let progress = 0;
    spy.on('message', (topic) => {
      if (topic.endsWith('/progress')) progress++;
      else offered.set(topic, (offered.get(topic) ?? 0) + 1);
    });
    await spy.subscribeAsync([`${TOPIC_PREFIX}/+/offer`, `${TOPIC_PREFIX}/+/progress`], { qos: 1 });
    const ceiling = await offerPathCeiling({
      url: broker.url,
      fleet,
      vehicles: fleet.size,
      campaignId: 7,
      progress: true,
    });
    expect(ceiling.vehicles).toBe(fleet.size);
    expect(ceiling.offersPerSecond).toBeGreaterThan(0);
    await expect.poll(() => progress, { timeout: 30_000 }).toBe(fleet.size);
    await spy.endAsync();
    expect(offered.size).toBe(fleet.size);
    expect([...offered.values()].every((times) => times === 1)).toBe(true);
    expect(offered.has(`${TOPIC_PREFIX}/${vinOf(fleet, fleet.size - 1)}/offer`)).toBe(true);
  }, 120_000);
});
