// A vehicle on the in-memory bus with testers attached, for the unit tests of the simulator.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCanBus, NegativeResponseError } from '@ota/uds';
import { generateImage } from '../image/generate-image.ts';
import { memoryBusTransportFactory, startVehicle, type RunningVehicle } from '../vehicle-runner.ts';
import type { VehicleDefinition } from '../vehicle/schema.ts';
import { testVehicle, VEHICLES_DIR } from './test-vehicle.ts';
import { openTester, type Tester } from './tester.ts';

export interface Harness {
  vehicle: RunningVehicle;
  stateDir: string;
  /** A tester for the named ECU (new CAN attachment; closed by close()). */
  tester(name: string): Tester;
  /** The in-memory bus the named ECU is on. */
  busOf(name: string): MemoryCanBus;
  /** Starts the vehicle again on the same state directory (after stop or power losses). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { definition?: VehicleDefinition; faults?: string[]; stateDir?: string; s3ServerMs?: number } = {},
): Promise<Harness> {
  const definition = options.definition ?? testVehicle();
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'ecu-sim-test-'));
  const buses = new Map<string, MemoryCanBus>();
  const start = (faults: readonly string[]): Promise<RunningVehicle> =>
    startVehicle({
      definition,
      baseDir: VEHICLES_DIR,
      stateDir,
      transportFactory: memoryBusTransportFactory(buses),
      faults,
      s3ServerMs: options.s3ServerMs,
    });
  const testers: Tester[] = [];
  const harness: Harness = {
    vehicle: await start(options.faults ?? []),
    stateDir,
    busOf(name) {
      const iface = harness.vehicle.ecu(name).definition.can.interface;
      let bus = buses.get(iface);
      if (!bus) {
        bus = new MemoryCanBus();
        buses.set(iface, bus);
      }
      return bus;
    },
    tester(name) {
      const def = harness.vehicle.ecu(name).definition;
      const t = openTester(harness.busOf(name).attach(`tester-${name}-${testers.length}`), def, 100);
      testers.push(t);
      return t;
    },
    async restart() {
      await harness.vehicle.stop();
      harness.vehicle = await start([]);
    },
    async close() {
      for (const t of testers.splice(0)) await t.close();
      await harness.vehicle.stop();
    },
  };
  return harness;
}

/** The NRC a request was answered with; throws when it was answered positively or failed otherwise. */
export async function nrcOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof NegativeResponseError) return err.nrc;
    throw err;
  }
  throw new Error('expected a negative response, got a positive one');
}

/** A valid image of the named ECU's first region, carrying `version`. */
export function regionImage(h: Harness, name: string, version: string): Uint8Array {
  const def = h.vehicle.ecu(name).definition;
  return generateImage({
    hardwareId: def.identification.hardwareId,
    softwareVersion: version,
    regionIndex: 0,
    size: def.flash.regions[0]!.size,
  });
}
