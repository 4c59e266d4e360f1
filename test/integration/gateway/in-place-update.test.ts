// A single-bank ECU (ecu-sim's ecm, declaring "delta-in-place") flashed in place by the gateway on the in-memory
// bus: F1A2 announces inPlaceDelta, the gateway sends the in-place patch without any eraseMemory, the ECU runs
// the new image. Cut off in the middle of the in-place rewrite (the silent-erase fault), the ECU resumes at
// power-on into its bootloader, unsigned, and the gateway's next attempt (a full reflash: F1A0 no longer names
// an image it knows) brings the new image up.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VehicleDefinition } from '../../../ecu-sim/vehicle/schema.ts';
import { sha256Hex } from '../../../vehicle-gateway/flash/image.ts';
import { flashSimEcu } from './support/flash-sim-ecu.ts';
import { smallVehicle, startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';

const ECU = 'ecm';
let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

function vehicle(): VehicleDefinition {
  const d = smallVehicle(64 * 1024);
  return {
    ...d,
    ecus: d.ecus.map((e) =>
      e.name === ECU
        ? {
            ...e,
            flash: {
              ...e.flash,
              compressionMethods: [...e.flash.compressionMethods, { id: 3, name: 'delta-in-place' }],
            },
          }
        : e,
    ),
  };
}

const update = (s: SimHarness) => flashSimEcu(s, ECU, '4.5.6');

describe('single-bank in-place update through the gateway', () => {
  it('F1A2 announces inPlaceDelta; the patch goes without eraseMemory and the ECU runs the new image', async () => {
    sim = await startSimVehicle({ definition: vehicle() });
    const { outcome, requests, running, next } = await update(sim);
    expect(outcome).toMatchObject({ status: 'succeeded', methods: ['in-place'] });
    expect(requests).toContain('22 f1a2');
    expect(requests).not.toContain('31 ff00');
    expect(running?.sha256).toBe(sha256Hex(next));
  });

  it('a power cut in the middle of the rewrite resumes at power-on; the ECU stays in its bootloader until reflashed', async () => {
    sim = await startSimVehicle({ definition: vehicle(), faults: [`${ECU}/silent-erase:6`] });
    const first = await update(sim);
    expect(first.outcome.status).toBe('failed');
    await vi.waitUntil(() => !sim!.vehicle.ecu(ECU).powered, { timeout: 10_000, interval: 5 });
    await sim.restart();
    const restarted = sim.vehicle.ecu(ECU);
    expect(await restarted.inPlaceResumed).toBe(true);
    expect(restarted.boot.mode).toBe('bootloader');
    expect(sha256Hex(restarted.memory.bank('A').readRegion(0))).toBe(sha256Hex(first.next));
    const again = await update(sim);
    expect(again.outcome).toMatchObject({ status: 'succeeded', methods: ['full'] });
    expect(again.running?.sha256).toBe(sha256Hex(again.next));
  });
});
