// The gateway discovers eraseOnWrite (F1A2) and then skips the inactive bank's erase before a delta; an ECU
// that does not know F1A2 is erased the old way; a read-while-write ECU (backgroundErase) has the changed sectors
// erased by 0207 in the extended session, before the programming session. Against ecu-sim's bcm (dual-bank,
// delta declared).
import { afterEach, describe, expect, it } from 'vitest';
import type { VehicleDefinition } from '../../../ecu-sim/vehicle/schema.ts';
import { sha256Hex } from '../../../vehicle-gateway/flash/image.ts';
import { flashSimEcu } from './support/flash-sim-ecu.ts';
import { smallVehicle, startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

interface Capabilities {
  eraseOnWrite: boolean;
  backgroundErase?: boolean;
}

function vehicle(capabilities: Capabilities): VehicleDefinition {
  const d = smallVehicle(16 * 1024);
  return {
    ...d,
    ecus: d.ecus.map((e) =>
      e.name === 'bcm' ? { ...e, simulation: { ...e.simulation, ...capabilities, inactiveBank: 'initialImage' } } : e,
    ),
  };
}

async function deltaUpdate(capabilities: Capabilities) {
  sim = await startSimVehicle({ definition: vehicle(capabilities) });
  return flashSimEcu(sim, 'bcm', '1.8.0', { confirmDualBank: true });
}

describe('dual-bank delta update and eraseOnWrite', () => {
  it('an ECU reporting eraseOnWrite gets the delta without any eraseMemory, and runs the new image', async () => {
    const { outcome, requests, running, next } = await deltaUpdate({ eraseOnWrite: true });
    expect(outcome).toMatchObject({ status: 'succeeded', methods: ['delta'] });
    expect(requests).toContain('22 f1a2');
    expect(requests).not.toContain('31 ff00');
    expect(running?.sha256).toBe(sha256Hex(next));
  });

  it('an ECU without F1A2 has its inactive region erased first, as before', async () => {
    const { outcome, requests, running, next } = await deltaUpdate({ eraseOnWrite: false });
    expect(outcome).toMatchObject({ status: 'succeeded', methods: ['delta'] });
    expect(requests).toContain('31 ff00');
    expect(running?.sha256).toBe(sha256Hex(next));
  });

  it('a read-while-write ECU has the changed sectors erased by 0207 before the programming session', async () => {
    const { outcome, requests, running, next } = await deltaUpdate({ eraseOnWrite: true, backgroundErase: true });
    expect(outcome).toMatchObject({ status: 'succeeded', methods: ['delta'] });
    const erase = requests.indexOf('31 207');
    expect(erase).toBeGreaterThan(requests.indexOf('10 3'));
    expect(requests.indexOf('27 12')).toBeLessThan(erase);
    expect(requests.indexOf('10 2')).toBeGreaterThan(erase);
    expect(requests).not.toContain('31 ff00');
    expect(running?.sha256).toBe(sha256Hex(next));
  });
});
