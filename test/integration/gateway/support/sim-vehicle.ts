// Test fixture: the example vehicle (or a copy with smaller flash regions, for speed) run by ecu-sim on an
// in-memory CAN bus, and the gateway's view of it (a transport on the same bus, a frame counter).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type CanTransport, MemoryCanBus, privateKeyFromHex, signRegion } from '@ota/uds';
import { memoryBusTransportFactory, startVehicle, type RunningVehicle } from '../../../../ecu-sim/vehicle-runner.ts';
import { loadVehicleFile } from '../../../../ecu-sim/vehicle/load-vehicle.ts';
import type { VehicleDefinition } from '../../../../ecu-sim/vehicle/schema.ts';
import { generateImage } from '../../../../ecu-sim/image/generate-image.ts';
import { encodeInfoBlock } from '../../../../ecu-sim/image/app-info-block.ts';
import { readFileSync } from 'node:fs';
import { parseVehicleDefinition as parseGatewayVehicle } from '../../../../vehicle-gateway/vehicle/load.ts';
import type { PublicVehicleDefinition } from '@ota/uds/vehicle';
import { imageForLayout, type FlashImage } from '../../../../vehicle-gateway/flash/image.ts';

export const EXAMPLE_VEHICLE = resolve(import.meta.dirname, '../../../../ecu-sim/vehicles/example.json');
export const TEST_SIGNING_KEY_FILE = resolve(
  dirname(EXAMPLE_VEHICLE),
  'keys/TEST-ONLY-oem-code-signing.ed25519.private.hex',
);

/** The example vehicle with every region shrunk to `regionSize` bytes and a short erase time. */
export function smallVehicle(regionSize = 32 * 1024, eraseTimePerSectorMs = 0): VehicleDefinition {
  const { definition } = loadVehicleFile(EXAMPLE_VEHICLE);
  return {
    ...definition,
    ecus: definition.ecus.map((e) => ({
      ...e,
      flash: { ...e.flash, eraseTimePerSectorMs, regions: e.flash.regions.map((r) => ({ ...r, size: regionSize })) },
    })),
    simulation: { ...definition.simulation, testSigningKeyFile: TEST_SIGNING_KEY_FILE },
  };
}

function patch(region: Uint8Array, regionIndex: number, hardwareId: string, version: string): Uint8Array {
  const out = Uint8Array.from(region);
  if (regionIndex === 0) out.set(encodeInfoBlock({ hardwareId, softwareVersion: version }), 0);
  const at = Math.floor(out.length / 3);
  const marker = Buffer.from(`patched to ${version}`.padEnd(96, '.'), 'latin1');
  out.set(marker.subarray(0, Math.min(marker.length, out.length - at)), at);
  return out;
}

export interface SimHarness {
  definition: VehicleDefinition;
  /** What the gateway reads: the same file without the simulator's secrets mattering. */
  gatewayVehicle: PublicVehicleDefinition;
  vehicle: RunningVehicle;
  bus: MemoryCanBus;
  stateDir: string;
  /** A gateway transport on the bus (for CanBuses: any interface name maps to the one bus). */
  openTransport: (iface: string) => Promise<CanTransport>;
  secret(ecu: string): Uint8Array;
  /** A new image for an ECU, signed with the TEST key. */
  image(ecu: string, version: string): { bytes: Uint8Array; image: FlashImage };
  /** Stops the ECUs and starts them again on the same state (a power cycle), with optional faults. */
  restart(faults?: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimVehicle(
  options: { definition?: VehicleDefinition; faults?: string[] } = {},
): Promise<SimHarness> {
  const definition = options.definition ?? smallVehicle();
  const stateDir = await mkdtemp(join(tmpdir(), 'gateway-sim-'));
  const bus = new MemoryCanBus();
  const buses = new Map([['vcan0', bus]]);
  const start = (faults?: string[]) =>
    startVehicle({
      definition,
      stateDir: join(stateDir, 'ecus'),
      transportFactory: memoryBusTransportFactory(buses),
      faults: faults ?? [],
    });
  let vehicle = await start(options.faults);
  const key = privateKeyFromHex(readFileSync(TEST_SIGNING_KEY_FILE, 'utf8').trim());
  const harness: SimHarness = {
    definition,
    gatewayVehicle: parseGatewayVehicle(JSON.parse(JSON.stringify(definition)), 'test vehicle'),
    get vehicle() {
      return vehicle;
    },
    bus,
    stateDir,
    openTransport: async () => bus.attach('gateway'),
    secret(ecu) {
      const def = definition.ecus.find((e) => e.name === ecu);
      if (!def) throw new Error(`no ECU ${ecu}`);
      return new Uint8Array(Buffer.from(def.simulation.securitySecret, 'hex'));
    },
    image(ecu, version) {
      const def = definition.ecus.find((e) => e.name === ecu);
      if (!def) throw new Error(`no ECU ${ecu}`);
      // The provisioned image is generated from the initial version; a later version is a small patch of it
      // (new info block, one changed run of bytes), as a security fix would be.
      const initial = def.flash.regions.map((r, regionIndex) =>
        generateImage({
          hardwareId: def.identification.hardwareId,
          softwareVersion: def.simulation.softwareVersion,
          regionIndex,
          size: r.size,
        }),
      );
      const regions =
        version === def.simulation.softwareVersion
          ? initial
          : initial.map((r, i) => patch(r, i, def.identification.hardwareId, version));
      const bytes = new Uint8Array(Buffer.concat(regions));
      const image = imageForLayout(
        def.flash,
        bytes,
        regions.map((r) => signRegion(key, r)),
      );
      return { bytes, image };
    },
    async restart(faults) {
      await vehicle.stop();
      vehicle = await start(faults);
    },
    async stop() {
      await vehicle.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return harness;
}
