import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, vehicleTopic } from '@ota/protocol/messages';
import { insertAuthorisedRelease, insertUsers, runningCampaign } from '../../test/integration/delivery/fixtures.ts';
import { startHarness } from '../../test/integration/delivery/harness.ts';
import type { DeliveryHarness } from '../../test/integration/delivery/harness.ts';
import { listedMoves, moveVehicles, retryMoves } from '../campaigns/vehicle-moves.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { claimOffers } from './claim-offers.ts';
import { OfferSweeper } from './offer-sweeper.ts';
import { publishOffers } from './offers.ts';

let h: DeliveryHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** A broker client that records what is published and acknowledges at once. */
function recordingBroker(): { broker: BrokerClient; sent: { topic: string; payload: Uint8Array }[] } {
  const sent: { topic: string; payload: Uint8Array }[] = [];
  const broker = {
    mqtt: { connected: true },
    publish: (topic: string, payload: Uint8Array) => {
      sent.push({ topic, payload });
      return Promise.resolve();
    },
  } as unknown as BrokerClient;
  return { broker, sent };
}

describe('publishOffers', () => {
  it("carries each vehicle's attempt and download size (a cached delta's when there is one), and encodes each distinct offer once", async () => {
    const users = await insertUsers(h.db);
    const image = randomBytes(3000);
    const release = await insertAuthorisedRelease(h.db, h.blobs, {
      hardwareId: 'HW-OFFERS',
      version: '2.0.0',
      image,
      createdBy: users.creator,
    });
    const { campaignId, vins } = await runningCampaign(h.db, {
      prefix: 'OFR',
      count: 5,
      hardwareId: 'HW-OFFERS',
      releaseIds: [release.releaseId],
      users,
    });
    // The last vehicle already runs the release: nothing to download.
    await sql`UPDATE ecus SET image_sha256 = ${release.sha256} WHERE vin = ${vins[3]!}`.execute(h.db);
    // The fifth runs an image from which a delta to the release is cached: it downloads the delta.
    const base = 'b'.repeat(64);
    await sql`UPDATE ecus SET image_sha256 = ${base} WHERE vin = ${vins[4]!}`.execute(h.db);
    await h.db
      .insertInto('delta_packages')
      .values({
        base_sha256: base,
        target_sha256: release.sha256,
        sha256: 'd'.repeat(64),
        length: 123,
        base_length: 4000,
      })
      .execute();
    // The third vehicle failed its first attempt and was retried: its offer is attempt 2.
    const at = new Date();
    const third = { campaignId, vin: vins[2]!, at };
    await moveVehicles(h.db, listedMoves([{ ...third, to: 'offered' }]));
    await moveVehicles(h.db, listedMoves([{ ...third, to: 'failed' }]));
    await moveVehicles(h.db, retryMoves(sql`SELECT ${campaignId}::int AS campaign_id, ${vins[2]!}::text AS vin`, at));

    // The claim reads each vehicle's attempt with its state; the offers carry it unread again.
    const claimed = await claimOffers(h.db, { campaignId, waveNo: 1, afterVin: '', limit: 10, now: at });
    expect(claimed.map((c) => c.attempt)).toEqual([1, 1, 2, 1, 1]);
    const { broker, sent } = recordingBroker();
    expect(await publishOffers(broker, h.db, { id: campaignId, deadline: null }, claimed)).toBe(5);
    const offers = sent.map((s) => ({ offer: decodeMessage('offer', s.payload) }));
    expect(sent.map((s) => s.topic)).toEqual(vins.map((vin) => vehicleTopic(vin, 'offer')));
    expect(offers.map((o) => o.offer.attempt)).toEqual([1, 1, 2, 1, 1]);
    expect(offers.map((o) => o.offer.downloadBytes)).toEqual([image.length, image.length, image.length, 0, 123]);
    expect(offers.every((o) => o.offer.campaignId === String(campaignId))).toBe(true);
    // Equal offers are the same encoded bytes, not one encoding per vehicle.
    expect(sent[1]!.payload).toBe(sent[0]!.payload);
    expect(sent[2]!.payload).not.toBe(sent[0]!.payload);

    // Offered again by the sweeper (no acknowledgement in time): the same attempt, read with the row.
    await sql`UPDATE campaigns SET state = 'running' WHERE id = ${campaignId}`.execute(h.db);
    const again = recordingBroker();
    const sweeper = new OfferSweeper({ db: h.db, broker: again.broker }, 1000, 10);
    expect(await sweeper.sweep(at.getTime() + 60_000)).toBe(5);
    const byVin = new Map(again.sent.map((s) => [s.topic, decodeMessage('offer', s.payload).attempt]));
    expect(vins.map((vin) => byVin.get(vehicleTopic(vin, 'offer')))).toEqual([1, 1, 2, 1, 1]);
  });
});
