/**
 * Offers: while the broker is unreachable no vehicle is claimed (they stay pending, offered on a
 * later pass; offers are published after the claim commits), and an offer the vehicle never acknowledged
 * (no progress report) is sent again after the acknowledgement timeout. Real Mosquitto started
 * (and stopped) by the test; PostgreSQL at DATABASE_URL or PGlite.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryService } from '../../../backend/delivery/service.ts';
import type { DeliveryService } from '../../../backend/delivery/service.ts';
import { publishImageRepository } from '../../../backend/tuf-repo/image-repository.ts';
import { ensureRoot } from '../../../backend/tuf-repo/root.ts';
import { vehicleTopic } from '@ota/protocol/messages';
import { startMosquitto } from '../../support/mosquitto.ts';
import type { TestMosquitto } from '../../support/mosquitto.ts';
import { insertAuthorisedRelease, insertCampaign, insertFleet, insertUsers, startCampaign } from './fixtures.ts';
import type { TestVehicle } from './fixtures.ts';
import { startHarness } from './harness.ts';
import { waitFor } from '../../support/wait-for.ts';
import type { DeliveryHarness } from './harness.ts';

const HW = 'HW-OFFER-1';
let h: DeliveryHarness;
let broker: TestMosquitto;
let service: DeliveryService | undefined;
let car: MqttClient | undefined;
let vehicles: TestVehicle[];
const logs: string[] = [];
let releases = 0;

async function campaignOf(count: number, prefix: string): Promise<number> {
  const users = await insertUsers(h.db);
  const release = await insertAuthorisedRelease(h.db, h.blobs, {
    hardwareId: HW,
    version: `2.0.${++releases}`,
    image: randomBytes(4096),
    createdBy: users.creator,
  });
  vehicles = await insertFleet(h.db, {
    prefix,
    count,
    hardwareId: HW,
    baseVersion: '1.0.0',
    baseSha256: () => null,
  });
  await publishImageRepository(h.db, h.keys);
  await ensureRoot(h.db, h.keys, 'director', new Date());
  const { campaignId } = await insertCampaign(h.db, {
    releaseIds: [release.releaseId],
    vins: vehicles.map((v) => v.vin),
    waves: [{ cumulativePercent: 100, successThreshold: 0.9, errorThreshold: 0.5 }],
    users,
  });
  return campaignId;
}

const states = async (campaignId: number) =>
  (await h.db.selectFrom('campaign_vehicles').select('state').where('campaign_id', '=', campaignId).execute()).map(
    (r) => r.state,
  );

beforeAll(async () => {
  h = await startHarness();
  broker = await startMosquitto({ persistence: false, why: 'the offers test' });
  service = await startDeliveryService({
    db: h.testDb.db,
    keys: h.keys,
    blobs: h.blobs,
    brokerUrl: broker.url,
    clientId: 'offers-test',
    log: (line) => logs.push(line),
    // The dispatcher is driven by hand (tick) in the first test.
    dispatcher: { tickMs: 3_600_000, batchSize: 50, offerAckTimeoutMs: 1500 },
  });
});
afterAll(async () => {
  await car?.endAsync(true);
  await service?.stop().catch(() => undefined);
  await broker.close();
  await h.close();
});

describe('offers', () => {
  it('leaves vehicles pending when their offers cannot be published, and offers them once the broker is back', async () => {
    const campaignId = await campaignOf(5, 'OFA');
    await broker.stop();
    await waitFor('the backend to notice', async () => !service!.broker.mqtt.connected);
    await startCampaign(h.db, campaignId);
    // (Passes until the wave's pacing has let the dispatcher try.)
    await waitFor('a dispatch that fails', async () => {
      await service!.dispatcher.tick();
      return logs.some((l) => l.includes('dispatch failed') && l.includes('cannot publish offers'));
    });
    expect(await states(campaignId)).toEqual(Array(5).fill('pending'));

    await broker.start();
    await waitFor('the backend to reconnect', async () => service!.broker.mqtt.connected);
    await waitFor('the offers', async () => {
      await service!.dispatcher.tick();
      return (await states(campaignId)).every((s) => s === 'offered');
    });
  });

  it('offers again to a vehicle that did not acknowledge its offer within the timeout', async () => {
    const campaignId = await campaignOf(1, 'OFB');
    const vin = vehicles[0]!.vin;
    car = await mqtt.connectAsync(broker.url, { clientId: `car-${vin}`, reconnectPeriod: 200 });
    const offers: string[] = [];
    car.on('message', (_topic, payload) => offers.push(payload.toString()));
    await car.subscribeAsync(vehicleTopic(vin, 'offer'), { qos: 1 });
    await startCampaign(h.db, campaignId);
    await waitFor('the first offer', async () => {
      await service!.dispatcher.tick();
      return offers.length >= 1;
    });
    // No exact count here: on a loaded machine the 1.5 s timeout may already have passed by this check.
    // No progress report comes: the sweeper (run by the dispatcher's pass) offers again.
    await waitFor(
      'the offer sent again',
      async () => {
        await service!.dispatcher.tick();
        return offers.length >= 2;
      },
      20_000,
    );
    expect(JSON.parse(offers[1]!)).toMatchObject({ campaignId: String(campaignId) });
    // How many the sweep names depends on timing: the first test's five vehicles never acknowledge either,
    // and on a loaded machine their re-offer falls into the same sweep as this one (seen: "to 6 vehicles").
    expect(logs.join('\n')).toMatch(/offered again to \d+ vehicles that did not acknowledge/);
  });
});
