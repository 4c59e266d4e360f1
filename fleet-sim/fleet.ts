import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';
import type { TrustedRepositoryState } from '@ota/protocol/tuf';
import { SimVehicle } from './sim-vehicle.ts';
import type { SimEcu, SimEvent } from './sim-vehicle.ts';
import type { IClientOptions } from 'mqtt';

/**
 * The simulated gateway key of a VIN: deterministic (seeded from the VIN), so a backend can be
 * provisioned with the same public keys. Simulation only; a real gateway's key never leaves it.
 */
export function simVehicleKey(vin: string): Signer {
  return ed25519SignerFromSeed(seedFromLabel(`fleet-sim/${vin}`));
}

export interface FleetOptions {
  url: string;
  vehicles: readonly { vin: string; ecus: SimEcu[] }[];
  trusted: { image: TrustedRepositoryState; director: TrustedRepositoryState };
  failRate: number;
  random?: () => number;
  /** Which vehicles fail their update, deterministically (instead of failRate). */
  failFor?: (vin: string) => boolean;
  mqtt?: IClientOptions;
  /** Vehicles connecting at once (a broker dislikes thousands of simultaneous handshakes). */
  connectConcurrency?: number;
  /** First delay before an unconfirmed result or manifest is sent again (SimVehicleOptions.resendMs). */
  resendMs?: number;
}

export interface Fleet {
  readonly vehicles: readonly SimVehicle[];
  readonly events: SimEvent[];
  /** Resolves when `count` vehicles have finished an update (succeeded or failed), or rejects after `timeoutMs`. */
  waitForFinished(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const events: SimEvent[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  // Counted as events arrive: recounting every event on every event is quadratic in the fleet size.
  let finished = 0;
  const vehicles = options.vehicles.map(
    (v) =>
      new SimVehicle({
        vin: v.vin,
        key: simVehicleKey(v.vin),
        ecus: v.ecus.map((e) => ({ ...e })),
        trusted: options.trusted,
        ...(options.resendMs !== undefined ? { resendMs: options.resendMs } : {}),
        ...(options.failFor
          ? { failRate: 0.5, random: () => (options.failFor!(v.vin) ? 0 : 1) }
          : { failRate: options.failRate, ...(options.random ? { random: options.random } : {}) }),
      }),
  );
  for (const vehicle of vehicles) {
    vehicle.onEvent = (event) => {
      events.push(event);
      if (event.type === 'succeeded' || event.type === 'failed') finished++;
      for (const w of waiters.splice(0)) {
        if (finished >= w.count) w.resolve();
        else waiters.push(w);
      }
    };
  }
  const concurrency = options.connectConcurrency ?? 50;
  for (let i = 0; i < vehicles.length; i += concurrency) {
    await Promise.all(vehicles.slice(i, i + concurrency).map((v) => v.connect(options.url, options.mqtt)));
  }
  return {
    vehicles,
    events,
    waitForFinished(count, timeoutMs = 60_000) {
      if (finished >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${finished} of ${count} vehicles finished within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async stop() {
      await Promise.all(vehicles.map((v) => v.disconnect()));
    },
  };
}
