import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSession, encodeMemoryRange, RoutineId, sha256, type UdsClient } from '@ota/uds';
import { nrcOf, regionImage, startHarness, type Harness } from '../testing/harness.ts';
import { testSigningKeyHex } from '../testing/test-vehicle.ts';
import { flashEcu, signImage } from '../testing/tester.ts';
import { DTC } from './dtc-codes.ts';

let harness: Harness;
afterEach(async () => harness.close());

const version = async (client: UdsClient): Promise<string> =>
  Buffer.from(await client.readDataByIdentifier(0xf189)).toString();

async function flashNew(client: UdsClient, name: string, v: string): Promise<Uint8Array> {
  const img = regionImage(harness, name, v);
  const result = await flashEcu(client, harness.vehicle.ecu(name).definition, img, signImage(testSigningKeyHex(), img));
  expect(result).toEqual({ checkMemory: 0, dependencies: 0 });
  return img;
}

describe('dual-bank ECU', () => {
  it('falls back to the previous bank after maxUnconfirmedBoots resets without confirmation', async () => {
    harness = await startHarness();
    const { client } = harness.tester('bcm');
    const def = harness.vehicle.ecu('bcm').definition;
    await flashNew(client, 'bcm', '2.0.0');
    expect(await version(client)).toBe('2.0.0');
    for (let i = 1; i < def.simulation.maxUnconfirmedBoots; i++) {
      await client.ecuReset(0x01);
      expect(await version(client)).toBe('2.0.0');
    }
    await client.ecuReset(0x01);
    expect(await version(client)).toBe(def.simulation.softwareVersion);
    expect((await client.readDataByIdentifier(0xf1a1))[0]).toBe(0x0a);
    expect(await client.readDtcInformation({ reportType: 0x0a })).toMatchObject({
      records: [{ dtc: DTC.bankFallback }],
    });
  });

  it('keeps a confirmed bank over any number of resets', async () => {
    harness = await startHarness();
    const { client } = harness.tester('adas');
    await flashNew(client, 'adas', '6.0.0');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await client.startRoutine(RoutineId.confirmActiveBank)).toEqual(Uint8Array.of(0));
    for (let i = 0; i < 5; i++) await client.ecuReset(0x01);
    expect(await version(client)).toBe('6.0.0');
    expect(harness.vehicle.ecu('adas').status().unconfirmedBoots).toBeNull();
  });

  it('switchToPreviousBank + reset rolls back, committed', async () => {
    harness = await startHarness();
    const { client } = harness.tester('bcm');
    const def = harness.vehicle.ecu('bcm').definition;
    await flashNew(client, 'bcm', '2.0.0');
    const f1a1 = await client.readDataByIdentifier(0xf1a1);
    expect(f1a1[0]).toBe(0x0b);
    expect(Buffer.from(f1a1.subarray(1)).toString()).toBe(def.simulation.softwareVersion);
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await client.startRoutine(RoutineId.switchToPreviousBank)).toEqual(Uint8Array.of(0));
    await client.ecuReset(0x01);
    expect(await version(client)).toBe(def.simulation.softwareVersion);
    for (let i = 0; i < 5; i++) await client.ecuReset(0x01);
    expect(await version(client)).toBe(def.simulation.softwareVersion);
    expect(Buffer.from((await client.readDataByIdentifier(0xf1a1)).subarray(1)).toString()).toBe('2.0.0');
  });

  it('single-bank ECUs have no bank routines', async () => {
    harness = await startHarness();
    const { client } = harness.tester('ecm');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await nrcOf(client.startRoutine(RoutineId.switchToPreviousBank))).toBe(0x31);
    expect(await nrcOf(client.startRoutine(RoutineId.confirmActiveBank))).toBe(0x31);
  });

  it('sector-differential programming: copyFromActiveBank for unchanged sectors, download for the changed one', async () => {
    harness = await startHarness();
    const { client } = harness.tester('bcm');
    const def = harness.vehicle.ecu('bcm').definition;
    const region = def.flash.regions[0]!;
    const sector = def.flash.sectorSize;
    const current = regionImage(harness, 'bcm', def.simulation.softwareVersion);
    const next = Uint8Array.from(current);
    next.set(new Uint8Array(sector).fill(0x5a), 3 * sector); // only sector 3 changes
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await client.unlock(0x11, Buffer.from(def.simulation.securitySecret, 'hex'));
    await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(region.address, region.size));
    await client.startRoutine(RoutineId.copyFromActiveBank, encodeMemoryRange(region.address, 3 * sector));
    await client.startRoutine(
      RoutineId.copyFromActiveBank,
      encodeMemoryRange(region.address + 4 * sector, region.size - 4 * sector),
    );
    expect(
      await nrcOf(client.startRoutine(RoutineId.copyFromActiveBank, encodeMemoryRange(region.address, sector))),
    ).toBe(0x72); // already written
    await client.download({ address: region.address + 3 * sector, data: next.subarray(3 * sector, 4 * sector) });
    expect(await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), next))).toEqual(
      Uint8Array.of(0),
    );
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
  });
});
