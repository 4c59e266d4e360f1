/**
 * Issue 20's CI test of several backend instances: two delivery processes (each its own MQTT client id
 * in the shared subscription group) on one PostgreSQL (DATABASE_URL) and one Mosquitto that this test
 * starts, a 500-vehicle campaign of simulated gateways, and one instance SIGKILLed mid-campaign (and
 * started again later). The campaign must complete, every vehicle's result be stored exactly once, and
 * the offers of both instances together never exceed the campaign's pace in any minute.
 */
import { sql } from 'kysely';
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

const VEHICLES = 500;
/** Vehicles per minute, for both instances together: well under what one instance alone could offer. */
const PACE = 360;
const PACE_PERIOD_MS = 60_000;
const HW = 'HW-TWO-1';

let services: ProcessHarness | undefined;
let h: DeliveryHarness;
let broker: ProcessHarness['broker'];
let fleet: Fleet | undefined;
const backends = new Map<string, BackendProcess>();

async function startBackend(clientId: string): Promise<void> {
  backends.set(
    clientId,
    await startBackendProcess({ dir: h.dir, databaseUrl: h.testDb.url!, mqttUrl: broker.url, clientId }),
  );
}

function outputs(): string {
  return [...backends].map(([id, b]) => `${id}: ${b.output().slice(-1200)}`).join('\n');
}

/** The most offers made within any window of `periodMs` (half-open, starting at an offer). */
function mostInAnyWindow(times: readonly number[], periodMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + periodMs) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

beforeAll(async () => {
  services = await startProcessHarness('the two-instance delivery test');
  ({ h, broker } = services);
});
afterAll(async () => {
  await fleet?.stop();
  for (const backend of backends.values()) await backend.kill();
  await services?.close();
});

describe('two backend instances', () => {
  it('complete a paced 500-vehicle campaign together, one of them SIGKILLed mid-campaign', async () => {
    const { db, blobs, keys } = h;
    const { base, vehicles, campaignId } = await seedDeltaCampaign(db, blobs, keys, {
      prefix: 'TWO',
      count: VEHICLES,
      hardwareId: HW,
      imageBytes: 8 * 1024,
      pacingPerMinute: PACE,
    });
    await startBackend('backend-a');
    await startBackend('backend-b');
    fleet = await startCampaignFleet(db, {
      url: broker.url,
      vehicles,
      hardwareId: HW,
      baseSha256: base.sha256,
      resendMs: 2000,
    });
    await startCampaign(db, campaignId);

    const finished = () => finishedVehicles(db, campaignId);
    // Killed mid-campaign and started again (as a supervisor would): its persistent session holds the
    // requests and reports the broker gave it meanwhile; the other instance carries on.
    await waitFor('200 vehicles finished before the SIGKILL', async () => (await finished()) >= 200, 180_000);
    await backends.get('backend-a')!.kill();
    await startBackend('backend-a');
    const incomplete = await campaignCompleted(db, campaignId, 240_000, () => {
      const errors = fleet!.events.filter((e) => e.type === 'error' || e.type === 'rejected_metadata').slice(0, 5);
      return `fleet ${JSON.stringify(errors)}\n${outputs()}`;
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    // The pace is global: every offer (each move to `offered`) in any minute, both instances together.
    // Checked first: a campaign that did not complete has offers to measure too.
    const offers = await sql<{ at: Date }>`
      SELECT at FROM campaign_vehicle_events WHERE campaign_id = ${campaignId} AND to_state = 'offered'`.execute(db);
    const most = mostInAnyWindow(
      offers.rows.map((r) => r.at.getTime()),
      PACE_PERIOD_MS,
    );
    expect(most, `offers in the busiest minute (pace ${PACE}/min)`).toBeLessThanOrEqual(PACE);
    if (incomplete) throw incomplete;
    expect(offers.rows.length).toBeGreaterThanOrEqual(VEHICLES);
    // Every vehicle succeeded, its result stored exactly once (one final move, one ECU record).
    await expectEachSucceededOnce(db, campaignId, VEHICLES);
  }, 420_000);
});
