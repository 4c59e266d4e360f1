import { afterEach, describe, expect, it } from 'vitest';
import { connectEcu } from '../../../vehicle-gateway/can/ecu-connection.ts';
import { flashEcu, type FlashJob } from '../../../vehicle-gateway/flash/flash-ecu.ts';
import { startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function flash(h: SimHarness, name: string, version: string, extra: Partial<FlashJob> = {}) {
  const ecu = h.gatewayVehicle.ecus.find((e) => e.name === name)!;
  const conn = connectEcu(await h.openTransport('vcan0'), ecu);
  try {
    return await flashEcu(
      {
        ecu,
        image: h.image(name, version).image,
        expected: {
          serialNumber: ecu.identification.serialNumber,
          hardwareId: ecu.identification.hardwareId,
          vin: h.gatewayVehicle.vin,
          version,
        },
        secret: h.secret(name),
        fingerprint: Uint8Array.of(0x47, 0x57),
        confirmDualBank: true,
        ...extra,
      },
      conn.link,
      conn.functional,
    );
  } finally {
    await conn.close();
  }
}

describe('flash engine against ecu-sim', () => {
  it('flashes a single-bank ECU', async () => {
    sim = await startSimVehicle();
    const outcome = await flash(sim, 'ecm', '2.4.2');
    expect(outcome).toMatchObject({ status: 'succeeded', fromVersion: '2.4.1', toVersion: '2.4.2', activeBank: null });
  });

  it('flashes a dual-bank ECU and switches banks', async () => {
    sim = await startSimVehicle();
    const outcome = await flash(sim, 'bcm', '1.8.0');
    expect(outcome).toMatchObject({ status: 'succeeded', fromVersion: '1.7.0', toVersion: '1.8.0', activeBank: 'B' });
  });
});
