import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCampaign, insertFleet, insertUsers, startCampaign } from '../../test/integration/delivery/fixtures.ts';
import { startHarness, waitUntil } from '../../test/integration/delivery/harness.ts';
import type { DeliveryHarness } from '../../test/integration/delivery/harness.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { listedMoves, moveVehicles } from '../campaigns/vehicle-moves.ts';
import { Dispatcher } from './dispatcher.ts';

let h: DeliveryHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** A broker client whose acknowledgements the test gives, one publish at a time. */
function heldBroker(): { broker: BrokerClient; held: (() => void)[] } {
  const held: (() => void)[] = [];
  const broker = {
    mqtt: { connected: true },
    publish: () => new Promise<void>((resolve) => held.push(resolve)),
  } as unknown as BrokerClient;
  return { broker, held };
}

/** A running one-wave campaign of `count` new vehicles, none offered yet. */
async function runningCampaign(prefix: string, count: number) {
  const users = await insertUsers(h.db);
  const vehicles = await insertFleet(h.db, {
    prefix,
    count,
    hardwareId: 'HW-DSP',
    baseVersion: '1.0.0',
    baseSha256: () => null,
  });
  const { campaignId } = await insertCampaign(h.db, {
    releaseIds: [],
    vins: vehicles.map((v) => v.vin),
    waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 }],
    users,
  });
  await startCampaign(h.db, campaignId);
  return { campaignId, vehicles };
}

describe('Dispatcher', () => {
  it('claims the next batch while the last is unacknowledged, within the offer window', async () => {
    await runningCampaign('DSP', 8);
    const { broker, held } = heldBroker();
    // A batch as large as the window: the dispatcher claims half-window batches so two overlap.
    const dispatcher = new Dispatcher(
      { db: h.db, broker, blobs: h.blobs, keys: h.keys, log: () => undefined },
      { tickMs: 3_600_000, batchSize: 4, maxInFlightOffers: 4 },
    );
    const pass = dispatcher.tick();
    await waitUntil('a full window of offers published', () => Promise.resolve(held.length === 4));
    // Acknowledging the first batch (two offers) makes room: the next batch goes out before the second's acks.
    held[0]!();
    held[1]!();
    await waitUntil('the next batch published', () => Promise.resolve(held.length === 6), 10_000);
    expect(dispatcher.offersSent).toBe(2);
    // The rest acknowledged as they come, until the pass ends with nothing left to claim.
    let ended = false;
    void pass.then(() => (ended = true));
    while (!ended) {
      for (const ack of held.splice(0)) ack();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(dispatcher.offersSent).toBe(8);
  });

  it('makes no claim for a wave with no vehicle pending (no walk over its offered vehicles)', async () => {
    const { campaignId, vehicles } = await runningCampaign('DSQ', 3);
    const at = new Date();
    await moveVehicles(h.db, listedMoves(vehicles.map((v) => ({ campaignId, vin: v.vin, to: 'offered', at }))));
    const dispatcher = new Dispatcher(
      { db: h.db, broker: heldBroker().broker, blobs: h.blobs, keys: h.keys, log: () => undefined },
      { tickMs: 3_600_000 },
    );
    await dispatcher.tick();
    // No pace was reserved for it: the pass never got to a claim.
    const paced = await h.db
      .selectFrom('campaign_dispatch_pace')
      .select('second')
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(paced).toEqual([]);
  });
});
