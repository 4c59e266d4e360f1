// The dual-bank delta scenario the eraseOnWrite and background-erase tests share: adas's old image and a new
// one that differs in sector 0 (the info block) and sector 4, the delta downloaded without eraseMemory, and a
// power cut at a chosen persistent write followed by a restart on the same state directory.
import { vi } from 'vitest';
import { encode as encodeDelta } from '@ota/delta';
import { RoutineId, type UdsClient } from '@ota/uds';
import { generateImage } from '../image/generate-image.ts';
import type { Harness } from './harness.ts';
import { countPowerWrites, type PowerWrites } from './power-writes.ts';
import { testSigningKeyHex, testVehicle } from './test-vehicle.ts';
import type { EcuDefinition, VehicleDefinition } from '../vehicle/schema.ts';
import { signImage, type Tester } from './tester.ts';

export const ADAS = 'adas';

/** The test vehicle with adas's simulation options changed (its inactive bank holding the initial image). */
export function adasVehicle(options: Partial<EcuDefinition['simulation']>): VehicleDefinition {
  const definition = testVehicle();
  const adas = definition.ecus.find((e) => e.name === ADAS)!;
  adas.simulation = { ...adas.simulation, inactiveBank: 'initialImage', ...options };
  return definition;
}

export function adasImages(h: Harness): { current: Uint8Array; next: Uint8Array } {
  const def = h.vehicle.ecu(ADAS).definition;
  const spec = { hardwareId: def.identification.hardwareId, regionIndex: 0, size: def.flash.regions[0]!.size };
  const current = generateImage({ ...spec, softwareVersion: def.simulation.softwareVersion });
  const next = Uint8Array.from(current);
  next.set(Buffer.from('5.0.4\0'), 8); // sector 0: the info block
  next.set(Uint8Array.of(1, 2, 3, 4), 4 * def.flash.sectorSize + 100); // sector 4
  return { current, next };
}

/** RequestDownload of the delta (no eraseMemory), then checkMemory; returns checkMemory's status. */
export async function downloadAdasDelta(h: Harness, client: UdsClient): Promise<number> {
  const region = h.vehicle.ecu(ADAS).definition.flash.regions[0]!;
  const { current, next } = adasImages(h);
  await client.download({
    address: region.address,
    data: encodeDelta(current, next, { quality: 5 }),
    dataFormatIdentifier: 0x10,
    uncompressedSize: next.length,
  });
  const status = await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), next));
  return status?.[0] ?? -1;
}

/** What `step` writes when nothing cuts the power: how many persistent writes adas makes, by kind. */
export async function writesOf(h: Harness, step: () => Promise<unknown>): Promise<PowerWrites> {
  const counted = countPowerWrites(h.vehicle.ecu(ADAS).power);
  await step();
  return counted;
}

/**
 * Starts `step` on `tester` with adas's power cut at its `cutAt`-th persistent write (1-based: that write is
 * not made), waits for adas to go dark, restarts the vehicle on the same state directory and returns what
 * `step` ended with (an Error).
 */
export async function cutPowerDuring(
  h: Harness,
  tester: Tester,
  cutAt: number,
  step: () => Promise<unknown>,
): Promise<unknown> {
  const ecu = h.vehicle.ecu(ADAS);
  countPowerWrites(ecu.power, cutAt);
  const running = step().catch((err: unknown) => err);
  await vi.waitUntil(() => !ecu.powered, { timeout: 10_000, interval: 5 });
  await h.restart();
  await tester.close(); // it would wait out P2* for the answer that never comes
  return running;
}
