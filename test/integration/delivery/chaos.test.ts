/**
 * The "done when" of issue 19: a two-wave campaign for 200 simulated vehicles on real PostgreSQL
 * (DATABASE_URL) and a Mosquitto with persistence that this test starts; the backend's delivery
 * runs as a child process, killed with SIGKILL three times, and Mosquitto is restarted twice, each
 * at a point of the campaign's progress. The campaign must complete, every vehicle's final result
 * be stored exactly once and no vehicle be left `offered`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectEachSucceededOnce,
  finishedVehicles,
  seedDeltaCampaign,
  startCampaign,
  startCampaignFleet,
} from './fixtures.ts';
import type { Fleet } from './fixtures.ts';
import { waitFor } from '../../support/wait-for.ts';
import type { DeliveryHarness } from './harness.ts';
import { campaignCompleted, startBackendProcess, startProcessHarness } from './support/backend-process.ts';
import type { BackendProcess, ProcessHarness } from './support/backend-process.ts';

const VEHICLES = 200;
const HW = 'HW-CHAOS-1';

let services: ProcessHarness | undefined;
let h: DeliveryHarness;
let broker: ProcessHarness['broker'];
let fleet: Fleet | undefined;
let backend: BackendProcess | undefined;

async function startBackend(mqttUrl: string): Promise<void> {
  backend = await startBackendProcess({ dir: h.dir, databaseUrl: h.testDb.url!, mqttUrl });
}

async function killBackend(): Promise<void> {
  await backend!.kill();
}

beforeAll(async () => {
  services = await startProcessHarness('the delivery chaos test');
  ({ h, broker } = services);
});
afterAll(async () => {
  await fleet?.stop();
  await backend?.kill();
  await services?.close();
});

describe('delivery under chaos', () => {
  it('completes a two-wave campaign for 200 vehicles through 3 backend SIGKILLs and 2 broker restarts', async () => {
    const { db, blobs, keys } = h;
    const { base, vehicles, campaignId } = await seedDeltaCampaign(db, blobs, keys, {
      prefix: 'CHS',
      count: VEHICLES,
      hardwareId: HW,
      imageBytes: 16 * 1024,
      waves: [
        { cumulativePercent: 10, successThreshold: 0.9, errorThreshold: 0.5 },
        { cumulativePercent: 100, successThreshold: 0.9, errorThreshold: 0.5 },
      ],
      pacingPerMinute: 3000,
    });
    await startBackend(broker.url);
    fleet = await startCampaignFleet(db, {
      url: broker.url,
      vehicles,
      hardwareId: HW,
      baseSha256: base.sha256,
      resendMs: 2000,
    });
    await startCampaign(db, campaignId);

    const finished = () => finishedVehicles(db, campaignId);
    // Each fault at a point of the campaign's progress (vehicles with a stored final result).
    const faults: [number, string, () => Promise<void>][] = [
      [5, 'backend SIGKILL in wave 1', async () => (await killBackend(), await startBackend(broker.url))],
      [40, 'Mosquitto restart', () => broker.restart()],
      [80, 'backend SIGKILL', async () => (await killBackend(), await startBackend(broker.url))],
      [120, 'Mosquitto restart', () => broker.restart()],
      [160, 'backend SIGKILL', async () => (await killBackend(), await startBackend(broker.url))],
    ];
    // Generous limits: beside two CPU burners the whole run took 150 s, each backend start over 10 s.
    for (const [at, what, fault] of faults) {
      await waitFor(`${at} vehicles finished before the ${what}`, async () => (await finished()) >= at, 180_000);
      await fault();
    }
    await campaignCompleted(db, campaignId, 300_000, () => `backend: ${backend!.output().slice(-1500)}`);

    // Every vehicle succeeded, its result stored exactly once (one final move, one ECU record).
    await expectEachSucceededOnce(db, campaignId, VEHICLES);
    // Every vehicle's result reached the backend and was confirmed: none is still being resent.
    await waitFor(
      'every result and manifest confirmed to its vehicle',
      async () => fleet!.vehicles.every((v) => v.unconfirmed === 0),
      120_000,
    ).catch((error: unknown) => {
      const waiting = fleet!.vehicles
        .filter((v) => v.unconfirmed > 0)
        .map((v) => `${v.vin}:${v.unconfirmed}/${v.resends}`);
      throw new Error(`${(error as Error).message}: ${waiting.join(' ')}; backend: ${backend!.output().slice(-3000)}`);
    });
    expect(broker.starts).toBe(3);
  }, 900_000);
});
