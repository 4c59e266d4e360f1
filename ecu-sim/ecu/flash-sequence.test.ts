import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MemoryCanBus } from '@ota/uds';
import { generateImage } from '../image/generate-image.ts';
import { testSigningKeyHex, testVehicle, VEHICLES_DIR } from '../testing/test-vehicle.ts';
import { flashEcu, openTester, signImage, type Tester } from '../testing/tester.ts';
import { memoryBusTransportFactory, startVehicle, type RunningVehicle } from '../vehicle-runner.ts';
import { sha256 } from '@ota/uds';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  definition = testVehicle(),
): Promise<{ vehicle: RunningVehicle; bus: MemoryCanBus; stateDir: string }> {
  const buses = new Map<string, MemoryCanBus>();
  const stateDir = mkdtempSync(join(tmpdir(), 'ecu-sim-flash-'));
  const vehicle = await startVehicle({
    definition,
    baseDir: VEHICLES_DIR,
    stateDir,
    transportFactory: memoryBusTransportFactory(buses),
  });
  cleanups.push(() => vehicle.stop());
  return { vehicle, bus: buses.get('vcan0') as MemoryCanBus, stateDir };
}

function tester(vehicle: RunningVehicle, bus: MemoryCanBus, name: string): Tester {
  const t = openTester(bus.attach(`tester-${name}`), vehicle.ecu(name).definition);
  cleanups.push(() => t.close());
  return t;
}

describe('full flash over the in-memory bus', () => {
  it.each(['ecm', 'bcm', 'adas'])('flashes %s and runs the new version after the reset', async (name) => {
    const { vehicle, bus } = await setup();
    const ecu = vehicle.ecu(name);
    const def = ecu.definition;
    const { client } = tester(vehicle, bus, name);
    const before = await client.readDataByIdentifier(0xf189);
    const image = generateImage({
      hardwareId: def.identification.hardwareId,
      softwareVersion: '9.9.9',
      regionIndex: 0,
      size: def.flash.regions[0]!.size,
    });
    const result = await flashEcu(client, def, image, signImage(testSigningKeyHex(), image));
    expect(result).toEqual({ checkMemory: 0, dependencies: 0 });
    expect(Buffer.from(before).toString()).toBe(def.simulation.softwareVersion);
    expect(Buffer.from(await client.readDataByIdentifier(0xf189)).toString()).toBe('9.9.9');
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(image));
    const bank = await client.readDataByIdentifier(0xf1a1);
    if (def.flash.banks === 'dual') {
      expect(bank[0]).toBe(0x0b);
      expect(Buffer.from(bank.subarray(1)).toString()).toBe(def.simulation.softwareVersion);
    } else {
      expect(bank[0]).toBe(0x00);
      expect(Buffer.from(bank.subarray(1)).toString()).toBe(def.simulation.softwareVersion);
    }
    expect(Buffer.from(await client.readDataByIdentifier(0xf15b)).toString()).toBe('TESTER01/2026-01-01/CAMPAIGN-1');
  });
});

describe('29-bit normal fixed addressing', () => {
  it('serves the whole sequence on 0x18DA<TA><SA> and answers functional requests on 0x18DB33F1', async () => {
    const definition = testVehicle();
    const adas = definition.ecus.find((e) => e.name === 'adas')!;
    adas.addressing = { mode: 'normalFixed29', ecuAddress: 0x10, testerAddress: 0xf1, functionalAddress: 0x33 };
    const { bus } = await setup(definition);
    const ids = new Set<number>();
    bus.attach('sniffer').subscribe(null, (frame) => ids.add(frame.id));
    const t = openTester(bus.attach('tester'), adas);
    cleanups.push(() => t.close());
    const image = generateImage({
      hardwareId: adas.identification.hardwareId,
      softwareVersion: '6.1.0',
      regionIndex: 0,
      size: adas.flash.regions[0]!.size,
    });
    expect(await flashEcu(t.client, adas, image, signImage(testSigningKeyHex(), image))).toEqual({
      checkMemory: 0,
      dependencies: 0,
    });
    expect(Buffer.from(await t.client.readDataByIdentifier(0xf189)).toString()).toBe('6.1.0');
    expect([...ids].filter((id) => id > 0x7ff).sort()).toEqual([0x18da10f1, 0x18daf110, 0x18db33f1]);
  });
});
