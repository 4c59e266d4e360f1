// Small vehicles for tests (unit tests on the in-memory bus and vcan tests in UML): the example's three ECU
// kinds with small regions and fast erase, signed with the TEST key of ecu-sim/vehicles/keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVehicleDefinition } from '../vehicle/load-vehicle.ts';
import type { VehicleDefinition } from '../vehicle/schema.ts';

export const VEHICLES_DIR = join(import.meta.dirname, '..', 'vehicles');
export const TEST_SIGNING_KEY_FILE = 'keys/TEST-ONLY-oem-code-signing.ed25519.private.hex';

export function testSigningKeyHex(): string {
  return readFileSync(join(VEHICLES_DIR, TEST_SIGNING_KEY_FILE), 'utf8').trim();
}

export interface TestVehicleOptions {
  regionSize?: number;
  sectorSize?: number;
  eraseTimePerSectorMs?: number;
  iface?: string;
}

/** ecm (single-bank, 0x7E0), bcm (dual-bank, 0x7E1), adas (dual-bank, CAN FD, 0x7E2): the example, smaller. */
export function testVehicle(options: TestVehicleOptions = {}): VehicleDefinition {
  const example = JSON.parse(readFileSync(join(VEHICLES_DIR, 'example.json'), 'utf8')) as {
    ecus: { can: { interface: string }; flash: Record<string, unknown> & { regions: { size: number }[] } }[];
  };
  for (const ecu of example.ecus) {
    ecu.can.interface = options.iface ?? 'vcan0';
    ecu.flash.sectorSize = options.sectorSize ?? 1024;
    ecu.flash.eraseTimePerSectorMs = options.eraseTimePerSectorMs ?? 1;
    for (const region of ecu.flash.regions) region.size = options.regionSize ?? 16 * 1024;
  }
  return parseVehicleDefinition(example, 'test vehicle');
}
