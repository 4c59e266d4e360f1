// A read-while-write dual-bank ECU (F1A2 backgroundErase): routine 0207 erases sectors of the inactive bank in
// the extended session while the application runs from the active bank; the delta download that follows then
// only programs. A power cut at every persistent write of 0207 leaves the old image running and the update
// able to resume (the erase repeated, then the download).
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSession, encodeMemoryRange, NRC, RoutineId, sha256, type UdsClient } from '@ota/uds';
import { adasImages, adasVehicle, cutPowerDuring, downloadAdasDelta, writesOf } from '../testing/adas-delta.ts';
import { nrcOf, startHarness, type Harness } from '../testing/harness.ts';
import { signImage, type Tester } from '../testing/tester.ts';
import { testSigningKeyHex } from '../testing/test-vehicle.ts';

/** The persistent writes of 0207 over sectors 0-4 (counted by a test below). */
const ERASE_WRITES = 6;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function layout(h: Harness) {
  const def = h.vehicle.ecu('adas').definition;
  return { def, region: def.flash.regions[0]!, sector: def.flash.sectorSize };
}

function secret(h: Harness): Buffer {
  return Buffer.from(h.vehicle.ecu('adas').definition.simulation.securitySecret, 'hex');
}

/** Extended session, unlocked: where the application runs and 0207 is allowed. */
async function extendedUnlocked(h: Harness, tester: Tester = h.tester('adas')): Promise<UdsClient> {
  const { client } = tester;
  await client.diagnosticSessionControl(DiagnosticSession.extended);
  await client.unlock(0x11, secret(h));
  return client;
}

/** 0207 over sectors [first, first + count) of the region. */
async function eraseInBackground(h: Harness, client: UdsClient, first: number, count: number): Promise<void> {
  const { region, sector } = layout(h);
  const status = await client.startRoutine(
    RoutineId.eraseInactiveBank,
    encodeMemoryRange(region.address + first * sector, count * sector),
  );
  expect(status).toEqual(Uint8Array.of(0));
}

/** Programming session, unlocked, the delta downloaded without eraseMemory; returns checkMemory's status. */
async function deltaUpdate(h: Harness, client: UdsClient): Promise<number> {
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, secret(h));
  return downloadAdasDelta(h, client);
}

describe('background erase (F1A2 bit 0x02, routine 0207)', () => {
  it('erases the named inactive sectors while the application runs; the download then only programs', async () => {
    harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true, backgroundErase: true }) });
    const h = harness;
    const client = await extendedUnlocked(h);
    expect(await client.readDataByIdentifier(0xf1a2)).toEqual(Uint8Array.of(0x03));
    const erasing = await writesOf(h, async () => {
      await eraseInBackground(h, client, 0, 1);
      await eraseInBackground(h, client, 4, 1);
    });
    expect(erasing.of).toMatchObject({ erase: 2, program: 0 });
    expect(h.vehicle.ecu('adas').boot.mode).toBe('application');
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(adasImages(h).current));

    const updating = await writesOf(h, async () => expect(await deltaUpdate(h, client)).toBe(0));
    expect(updating.of).toMatchObject({ erase: 0, program: 2 });
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(adasImages(h).next));
  });

  it('a full download into the region erased before the session needs no eraseMemory and is activated', async () => {
    harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true, backgroundErase: true }) });
    const h = harness;
    const { region, sector } = layout(h);
    const { next } = adasImages(h);
    const client = await extendedUnlocked(h);
    await eraseInBackground(h, client, 0, region.size / sector);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await client.unlock(0x11, secret(h));
    await client.download({ address: region.address, data: next });
    const status = await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), next));
    expect(status).toEqual(Uint8Array.of(0));
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
  });

  it('is refused without security, in the programming session, while unconfirmed, and by an ECU without it', async () => {
    harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true, backgroundErase: true }) });
    const h = harness;
    const { region, sector } = layout(h);
    const range = encodeMemoryRange(region.address, sector);
    const { client } = h.tester('adas');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await nrcOf(client.startRoutine(RoutineId.eraseInactiveBank, range))).toBe(NRC.securityAccessDenied);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await client.unlock(0x11, secret(h));
    expect(await nrcOf(client.startRoutine(RoutineId.eraseInactiveBank, range))).toBe(NRC.requestOutOfRange);
    const bcm = h.tester('bcm').client;
    await bcm.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await nrcOf(bcm.startRoutine(RoutineId.eraseInactiveBank, range))).toBe(NRC.requestOutOfRange);

    // After an update that is not confirmed yet, the inactive bank is the fallback: not erased.
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await deltaUpdate(h, client)).toBe(0);
    await client.ecuReset(0x01);
    await extendedUnlocked(h);
    expect(await nrcOf(client.startRoutine(RoutineId.eraseInactiveBank, range))).toBe(NRC.conditionsNotCorrect);
  });

  it('0207 over sectors 0-4 makes six persistent writes: the region invalidated in state.json, five erases', async () => {
    const h = (harness = await startHarness({
      definition: adasVehicle({ eraseOnWrite: true, backgroundErase: true }),
    }));
    const client = await extendedUnlocked(h);
    const writes = await writesOf(h, () => eraseInBackground(h, client, 0, 5));
    expect(writes.of).toEqual({ state: 1, erase: 5, program: 0, 'in-place': 0 });
    expect(writes.total).toBe(ERASE_WRITES);
  });

  // Every persistent write of that 0207, cut in turn (the write cut at is not made).
  it.each(Array.from({ length: ERASE_WRITES }, (_, i) => i + 1))(
    'a power cut at persistent write %i of 0207 leaves the old image running, and the update resumes',
    async (cutAt) => {
      harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true, backgroundErase: true }) });
      const h = harness;
      const { current, next } = adasImages(h);
      const oldTester = h.tester('adas');
      const client = await extendedUnlocked(h, oldTester);
      const erasing = cutPowerDuring(h, oldTester, cutAt, () => eraseInBackground(h, client, 0, 5));
      expect(await erasing).toBeInstanceOf(Error);

      expect(h.vehicle.ecu('adas').boot.mode).toBe('application');
      const again = await extendedUnlocked(h);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(current));
      await eraseInBackground(h, again, 0, 5);
      expect(await deltaUpdate(h, again)).toBe(0);
      await again.ecuReset(0x01);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
    },
  );
});
