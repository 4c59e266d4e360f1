// The offer path's ceiling on this machine, a peer of the run's offers/s: offers published the way the
// dispatcher publishes them (QoS 1, its batch size and offer window) to the bench's simulated vehicles,
// which acknowledge each and report `downloading` as in the run, and one client taking those reports
// through the backends' shared subscription at QoS 1, as a backend does. No database and no backend
// logic: what offers/s would be if claiming, the offers' detail and storing progress cost nothing.
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { TOPIC_PREFIX, vehicleTopic } from '@ota/protocol/messages';
import { dispatchWindow } from '../../backend/delivery/offer-window.ts';
import { benchOffer } from './broker-raw.ts';
import { startResponder } from './responder.ts';
import { indexOf, vinOf } from './seed.ts';
import type { BenchFleet } from './seed.ts';

/** Long enough that no vehicle finishes installing (and answers) while the ceiling is measured. */
const NEVER_MS = 3_600_000;

/** Longest the vehicles may take to receive the offers the broker acknowledged. */
const RECEIVE_TIMEOUT_MS = 60_000;

export interface OfferPathCeiling {
  /** Offers received by their vehicles per second, from the first publish to the last offer received. */
  readonly offersPerSecond: number;
  /** Vehicles it was measured on, each of which received its offer (the measurement waits for the last). */
  readonly vehicles: number;
  /** `downloading` reports the backends' stand-in had received by then. */
  readonly progressReceived: number;
}

/** Offers to the first `vehicles` of `fleet` (none may be running a campaign: no backend may be connected). */
export async function offerPathCeiling(o: {
  url: string;
  fleet: BenchFleet;
  vehicles: number;
  campaignId: number;
  /** Whether the vehicles report `downloading` at the offer (as in the run this is the peer of). */
  progress: boolean;
}): Promise<OfferPathCeiling> {
  const run = randomBytes(3).toString('hex');
  const vehicles = await startResponder({
    url: o.url,
    clientId: `ceiling-vehicles-${run}`,
    campaignId: o.campaignId,
    vehicles: o.vehicles,
    vinOf: (i) => vinOf(o.fleet, i),
    indexOf: (vin) => indexOf(o.fleet, vin),
    resendMs: NEVER_MS,
    resendAckedMs: NEVER_MS,
    installMs: NEVER_MS,
    connections: 1,
    progress: o.progress,
  });
  const backend = await mqtt.connectAsync(o.url, {
    clientId: `ceiling-backend-${run}`,
    protocolVersion: 5,
    log: () => undefined,
  });
  try {
    let progressReceived = 0;
    backend.on('message', () => progressReceived++);
    await backend.subscribeAsync(`$share/ceiling-${run}/${TOPIC_PREFIX}/+/progress`, { qos: 1 });
    // One payload for all, as the dispatcher's offers of one campaign share theirs.
    const offer = benchOffer(o.campaignId);
    const { window, batchSize } = dispatchWindow();
    let failure: unknown;
    const start = performance.now();
    for (let first = 0; first < o.vehicles;) {
      await window.waitForRoom();
      const end = Math.min(o.vehicles, first + Math.min(batchSize, window.room));
      const batch = [];
      for (let i = first; i < end; i++)
        batch.push(backend.publishAsync(vehicleTopic(vinOf(o.fleet, i), 'offer'), offer, { qos: 1 }));
      window.track(
        end - first,
        Promise.all(batch).then(
          () => undefined,
          (error: unknown) => void (failure ??= error),
        ),
      );
      first = end;
    }
    await window.drain();
    if (failure) throw failure;
    const until = performance.now() + RECEIVE_TIMEOUT_MS;
    while (vehicles.times.lastOffer === undefined) {
      if (performance.now() > until)
        throw new Error(`the vehicles received ${vehicles.tracker.offers} of ${o.vehicles} offers`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return {
      offersPerSecond: o.vehicles / ((vehicles.times.lastOffer - start) / 1000),
      vehicles: vehicles.tracker.offers,
      progressReceived,
    };
  } finally {
    await backend.endAsync();
    await vehicles.stop();
  }
}
