// The simulator on real SocketCAN (vcan0 inside user-mode Linux): a full flash of a classical-CAN single-bank
// ECU and a CAN FD dual-bank ECU, and a power loss in the middle of a transfer followed by a restart of the
// process state on the same state directory. Small regions: UML carries about 2000 frames per second.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSocketCan, sha256 } from '@ota/uds';
import { generateImage } from '../../../ecu-sim/image/generate-image.ts';
import { testSigningKeyHex, testVehicle, VEHICLES_DIR } from '../../../ecu-sim/testing/test-vehicle.ts';
import { flashEcu, openTester, programRegion, signImage, type Tester } from '../../../ecu-sim/testing/tester.ts';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../support/loaded-host.ts';
import { startVehicle, type RunningVehicle } from '../../../ecu-sim/vehicle-runner.ts';
import type { VehicleDefinition } from '../../../ecu-sim/vehicle/schema.ts';

const definition = testVehicle({ regionSize: 16 * 1024, sectorSize: 1024, iface: 'vcan0' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(stateDir: string, faults: string[] = []): Promise<RunningVehicle> {
  const vehicle = await startVehicle({
    definition,
    baseDir: VEHICLES_DIR,
    stateDir,
    transportFactory: (iface) => openSocketCan(iface),
    faults,
  });
  cleanups.push(() => vehicle.stop());
  return vehicle;
}

async function tester(def: VehicleDefinition['ecus'][number]): Promise<Tester> {
  const t = openTester(await openSocketCan(def.can.interface), def, LOADED_HOST_TIMING_MARGIN_MS);
  cleanups.push(() => t.close());
  return t;
}

function newImage(def: VehicleDefinition['ecus'][number], version: string): Uint8Array {
  return generateImage({
    hardwareId: def.identification.hardwareId,
    softwareVersion: version,
    regionIndex: 0,
    size: def.flash.regions[0]!.size,
  });
}

describe('ecu-sim over SocketCAN', () => {
  it.each(['ecm', 'adas'])('flashes %s end to end', async (name) => {
    const vehicle = await start(mkdtempSync(join(tmpdir(), 'ecu-sim-vcan-')));
    const def = vehicle.ecu(name).definition;
    const { client } = await tester(def);
    const image = newImage(def, '8.1.0');
    const started = Date.now();
    const result = await flashEcu(client, def, image, signImage(testSigningKeyHex(), image));
    console.log(`${name}: ${image.length} bytes flashed over vcan in ${Date.now() - started} ms`);
    expect(result).toEqual({ checkMemory: 0, dependencies: 0 });
    expect(Buffer.from(await client.readDataByIdentifier(0xf189)).toString()).toBe('8.1.0');
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(image));
  });

  it('comes back after a power loss mid-transfer and can be flashed again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'ecu-sim-vcan-'));
    const first = await start(stateDir, ['ecm/silent:2']);
    const def = first.ecu('ecm').definition;
    const image = newImage(def, '8.2.0');
    const signature = signImage(testSigningKeyHex(), image);
    const t1 = await tester(def);
    let settled = false;
    const flashing = programRegion(t1.client, def, image, signature)
      .catch((err: unknown) => err)
      .finally(() => (settled = true));
    // A flash that fails before the second block (not the injected power loss) ends the wait at once.
    await vi.waitUntil(() => !first.ecu('ecm').powered || settled, { timeout: 120_000, interval: 20 });
    if (first.ecu('ecm').powered) throw new Error(`the flash ended before the power loss: ${String(await flashing)}`);
    await first.stop();
    expect(await flashing).toBeInstanceOf(Error);
    // Left open, the first tester's TesterPresent (a single frame on the same id every 2 s) would abort the
    // second tester's multi-frame requests in the ECU's reception.
    await t1.close();

    const second = await start(stateDir);
    expect(second.ecu('ecm').boot.mode).toBe('bootloader'); // single-bank, erased and half written
    const { client } = await tester(def);
    expect((await client.readDataByIdentifier(0xf1a1))[0]).toBe(0xff);
    expect(await flashEcu(client, def, image, signature)).toEqual({ checkMemory: 0, dependencies: 0 });
    expect(Buffer.from(await client.readDataByIdentifier(0xf189)).toString()).toBe('8.2.0');
  });
});
