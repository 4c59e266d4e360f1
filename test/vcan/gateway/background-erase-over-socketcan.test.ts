// A read-while-write dual-bank ECU over real SocketCAN (vcan0): the gateway has the changed sectors of bcm's
// inactive bank erased by 0207 in the extended session (SecurityAccess there), then sends the delta in the
// programming session without eraseMemory, and bcm runs the new image.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocketCan } from '@ota/uds';
import { startVehicle } from '../../../ecu-sim/vehicle-runner.ts';
import { CanBuses } from '../../../vehicle-gateway/can/buses.ts';
import { flashEcu } from '../../../vehicle-gateway/flash/flash-ecu.ts';
import type { FlashStep } from '../../../vehicle-gateway/flash/result.ts';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../support/loaded-host.ts';
import { simFlashJob } from '../../integration/gateway/support/flash-sim-ecu.ts';
import { smallVehicle, startSimVehicle } from '../../integration/gateway/support/sim-vehicle.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('background erase over SocketCAN', () => {
  it('erases before the programming session, then flashes the delta without eraseMemory', async () => {
    const base = smallVehicle(16 * 1024);
    const definition = {
      ...base,
      ecus: base.ecus.map((e) =>
        e.name === 'bcm'
          ? {
              ...e,
              can: { ...e.can, interface: 'vcan0' },
              simulation: {
                ...e.simulation,
                eraseOnWrite: true,
                backgroundErase: true,
                inactiveBank: 'initialImage' as const,
              },
            }
          : e,
      ),
    };
    // Images and the gateway's view come from the in-memory harness; the ECUs run on vcan0.
    const images = await startSimVehicle({ definition });
    cleanups.push(() => images.stop());
    const dir = await mkdtemp(join(tmpdir(), 'background-erase-vcan-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const vehicle = await startVehicle({
      definition,
      stateDir: join(dir, 'ecus'),
      transportFactory: (iface) => openSocketCan(iface),
    });
    cleanups.push(() => vehicle.stop());
    const buses = new CanBuses((iface) => openSocketCan(iface), null, { timingMarginMs: LOADED_HOST_TIMING_MARGIN_MS });
    cleanups.push(() => buses.closeAll());
    const job = simFlashJob(images, 'bcm', '1.8.0', { confirmDualBank: true });
    const conn = await buses.connect(job.ecu);
    const steps: FlashStep[] = [];
    const outcome = await flashEcu(job, conn.link, conn.functional, { beforeStep: (step) => void steps.push(step) });
    expect(outcome).toMatchObject({ status: 'succeeded', methods: ['delta'], toVersion: '1.8.0' });
    expect(steps.indexOf('backgroundErase')).toBeGreaterThan(steps.indexOf('extendedSession'));
    expect(steps.indexOf('backgroundErase')).toBeLessThan(steps.indexOf('programmingSession'));
    expect(steps).not.toContain('erase');
  });
});
