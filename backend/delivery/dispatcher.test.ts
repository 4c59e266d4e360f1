import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningCampaign } from '../../test/integration/delivery/fixtures.ts';
import { startHarness } from '../../test/integration/delivery/harness.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { DeliveryHarness } from '../../test/integration/delivery/harness.ts';
import { parseVehicleTopic, vehicleTopic } from '@ota/protocol/messages';
import { connectBroker } from '../mqtt/broker-client.ts';
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

/** The vehicles' states in the campaign as another connection sees them (committed), in the order of `vins`. */
async function statesOf(campaignId: number, vins: readonly string[]): Promise<string[]> {
  const rows = await h.db
    .selectFrom('campaign_vehicles')
    .select(['vin', 'state'])
    .where('campaign_id', '=', campaignId)
    .where('vin', 'in', [...vins])
    .execute();
  const byVin = new Map(rows.map((r) => [r.vin, r.state]));
  return vins.map((vin) => byVin.get(vin) ?? 'missing');
}

/** Offers the campaign's pace ledger counts. */
async function pacedOffers(campaignId: number): Promise<number> {
  const row = await h.db
    .selectFrom('campaign_dispatch_pace')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('offered'), eb.lit(0)).as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('Dispatcher', () => {
  it('claims the next batch while the last is unacknowledged, within the offer window', async () => {
    await runningCampaign(h.db, { prefix: 'DSP', count: 8, hardwareId: 'HW-DSP' });
    const { broker, held } = heldBroker();
    // A batch as large as the window: the dispatcher claims half-window batches so two overlap.
    const dispatcher = new Dispatcher(
      { db: h.db, broker, blobs: h.blobs, keys: h.keys, log: () => undefined },
      { tickMs: 3_600_000, batchSize: 4, maxInFlightOffers: 4 },
    );
    const pass = dispatcher.tick();
    await waitFor('a full window of offers published', () => Promise.resolve(held.length === 4));
    // Acknowledging the first batch (two offers) makes room: the next batch goes out before the second's acks.
    held[0]!();
    held[1]!();
    await waitFor('the next batch published', () => Promise.resolve(held.length === 6), 10_000);
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
    const { campaignId, vehicles } = await runningCampaign(h.db, { prefix: 'DSQ', count: 3, hardwareId: 'HW-DSP' });
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

  it('publishes an offer only once its claim committed: the vehicle is offered before it can answer', async () => {
    const { campaignId, vehicles } = await runningCampaign(h.db, { prefix: 'DSR', count: 6, hardwareId: 'HW-DSP' });
    const real = await connectBroker({ url: h.brokerUrl, clientId: `dispatch-order-${process.pid}` });
    const seen: string[] = [];
    // The real broker, with the vehicle's committed state looked up as each offer is handed to it.
    const broker: BrokerClient = {
      ...real,
      publish: async (topic, payload) => {
        seen.push(...(await statesOf(campaignId, [parseVehicleTopic(topic)!.vin])));
        return real.publish(topic, payload);
      },
    };
    const dispatcher = new Dispatcher(
      { db: h.db, broker, blobs: h.blobs, keys: h.keys, log: () => undefined },
      { tickMs: 3_600_000, batchSize: 3 },
    );
    try {
      await dispatcher.tick();
    } finally {
      await real.close();
    }
    expect(seen).toEqual(vehicles.map(() => 'offered'));
    expect(dispatcher.offersSent).toBe(6);
  });

  it('leaves vehicles whose offers failed after the claim offered, their pace spent, for the offer sweeper', async () => {
    const { campaignId, vehicles } = await runningCampaign(h.db, { prefix: 'DSF', count: 3, hardwareId: 'HW-DSP' });
    let broken = true;
    const sent: string[] = [];
    const mine = new Set(vehicles.map((v) => vehicleTopic(v.vin, 'offer')));
    // (Offers to the vehicles of the other tests' campaigns, which the sweeper sends again, go through.)
    const broker = {
      mqtt: { connected: true },
      publish: (topic: string) => {
        if (!mine.has(topic)) return Promise.resolve();
        if (broken) return Promise.reject(new Error('the broker went away'));
        sent.push(topic);
        return Promise.resolve();
      },
    } as unknown as BrokerClient;
    const logs: string[] = [];
    const dispatcher = new Dispatcher(
      { db: h.db, broker, blobs: h.blobs, keys: h.keys, log: (line) => logs.push(line) },
      { tickMs: 3_600_000, offerAckTimeoutMs: 200 },
    );
    await dispatcher.tick();
    expect(
      await statesOf(
        campaignId,
        vehicles.map((v) => v.vin),
      ),
    ).toEqual(['offered', 'offered', 'offered']);
    expect(await pacedOffers(campaignId)).toBe(3);
    expect(logs.join('\n')).toMatch(/the broker went away/);
    broken = false;
    await waitFor('the sweeper to offer them again', async () => {
      await dispatcher.tick();
      return sent.length >= 3;
    });
    expect(new Set(sent).size).toBe(3);
    expect(await pacedOffers(campaignId)).toBe(3);
  });

  // Last: it dispatches what earlier tests left pending, after their assertions.
  it('still dispatches new offers when offering again fails (the sweep is tried again next pass)', async () => {
    const { campaignId, vehicles } = await runningCampaign(h.db, { prefix: 'DSS', count: 2, hardwareId: 'HW-DSP' });
    const logs: string[] = [];
    const broker = { mqtt: { connected: true }, publish: () => Promise.resolve() } as unknown as BrokerClient;
    const dispatcher = new Dispatcher(
      { db: h.db, broker, blobs: h.blobs, keys: h.keys, log: (line) => logs.push(line) },
      { tickMs: 3_600_000 },
    );
    dispatcher.sweeper.sweep = () => Promise.reject(new Error('sweep refused for the test'));
    await dispatcher.tick();
    expect(
      await statesOf(
        campaignId,
        vehicles.map((v) => v.vin),
      ),
    ).toEqual(['offered', 'offered']);
    expect(logs.join('\n')).toMatch(/offering again failed: sweep refused for the test/);
  });
});
