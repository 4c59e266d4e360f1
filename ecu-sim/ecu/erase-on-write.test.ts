// A dual-bank bootloader with eraseOnWrite (F1A2): a delta download into an inactive bank that already holds
// most of the target erases only the sectors whose content differs, and a power cut at any persistent write of
// that path leaves the old image running and the update repeatable.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode as encodeDelta } from '@ota/delta';
import { DiagnosticSession, NRC, RoutineId, sha256, type UdsClient } from '@ota/uds';
import { FlashBank } from '../flash/flash-bank.ts';
import { generateImage } from '../image/generate-image.ts';
import { nrcOf, startHarness, type Harness } from '../testing/harness.ts';
import { testSigningKeyHex, testVehicle } from '../testing/test-vehicle.ts';
import { signImage } from '../testing/tester.ts';

let harness: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = undefined;
});

/** adas rewrites changed sectors only, and its inactive bank holds the initial image; bcm is the old kind. */
function vehicle() {
  const definition = testVehicle();
  const adas = definition.ecus.find((e) => e.name === 'adas')!;
  adas.simulation = { ...adas.simulation, eraseOnWrite: true, inactiveBank: 'initialImage' };
  return definition;
}

function images(h: Harness): { current: Uint8Array; next: Uint8Array } {
  const def = h.vehicle.ecu('adas').definition;
  const spec = { hardwareId: def.identification.hardwareId, regionIndex: 0, size: def.flash.regions[0]!.size };
  const current = generateImage({ ...spec, softwareVersion: def.simulation.softwareVersion });
  const next = Uint8Array.from(current);
  next.set(Buffer.from('5.0.4\0'), 8); // sector 0: the info block
  next.set(Uint8Array.of(1, 2, 3, 4), 5000); // sector 4 (1 KiB sectors)
  return { current, next };
}

async function unlocked(h: Harness, name: string, tester = h.tester(name)): Promise<UdsClient> {
  const { client } = tester;
  await client.diagnosticSessionControl(DiagnosticSession.extended);
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, Buffer.from(h.vehicle.ecu(name).definition.simulation.securitySecret, 'hex'));
  return client;
}

/** RequestDownload of the delta without any eraseMemory, then checkMemory; returns checkMemory's status. */
async function deltaUpdate(h: Harness, client: UdsClient): Promise<number> {
  const region = h.vehicle.ecu('adas').definition.flash.regions[0]!;
  const { current, next } = images(h);
  await client.download({
    address: region.address,
    data: encodeDelta(current, next, { quality: 5 }),
    dataFormatIdentifier: 0x10,
    uncompressedSize: next.length,
  });
  const status = await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), next));
  return status?.[0] ?? -1;
}

/** Counts the bank writes (erase and program); `onWrite` hears how many were made, before and after each one. */
function countWrites(onWrite: (n: number) => void): { writes: () => number; erases: () => number } {
  let writes = 0;
  let erases = 0;
  const erase = FlashBank.prototype.eraseSector;
  const program = FlashBank.prototype.program;
  vi.spyOn(FlashBank.prototype, 'eraseSector').mockImplementation(async function (this: FlashBank, address) {
    onWrite(writes);
    await erase.call(this, address);
    erases++;
    onWrite(++writes);
  });
  vi.spyOn(FlashBank.prototype, 'program').mockImplementation(async function (this: FlashBank, address, data) {
    onWrite(writes);
    await program.call(this, address, data);
    onWrite(++writes);
  });
  return { writes: () => writes, erases: () => erases };
}

describe('eraseOnWrite (F1A2)', () => {
  it('is reported by an ECU that supports it and refused (0x31) by one that does not', async () => {
    harness = await startHarness({ definition: vehicle() });
    expect(await harness.tester('adas').client.readDataByIdentifier(0xf1a2)).toEqual(Uint8Array.of(0x01));
    expect(await nrcOf(harness.tester('bcm').client.readDataByIdentifier(0xf1a2))).toBe(NRC.requestOutOfRange);
  });

  it('a delta into an inactive bank holding the old image erases and writes only the two changed sectors', async () => {
    harness = await startHarness({ definition: vehicle() });
    const client = await unlocked(harness, 'adas');
    const counts = countWrites(() => undefined);
    expect(await deltaUpdate(harness, client)).toBe(0);
    expect({ erases: counts.erases(), writes: counts.writes() }).toEqual({ erases: 2, writes: 4 });
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(images(harness).next));
  });

  it('into an erased inactive bank it programs every sector and erases none', async () => {
    const definition = vehicle();
    const adas = definition.ecus.find((e) => e.name === 'adas')!;
    adas.simulation = { ...adas.simulation, inactiveBank: 'erased' };
    harness = await startHarness({ definition });
    const client = await unlocked(harness, 'adas');
    const counts = countWrites(() => undefined);
    expect(await deltaUpdate(harness, client)).toBe(0);
    expect({ erases: counts.erases(), writes: counts.writes() }).toEqual({ erases: 0, writes: 16 });
  });

  // Cut 0: after the region was invalidated in state.json, before the first bank write; 1-4: after each write
  // (4: the region is complete but not yet checked).
  it.each([0, 1, 2, 3, 4])(
    'a power cut after %i bank writes leaves the old image running, and the update repeatable',
    async (cutAfter) => {
      harness = await startHarness({ definition: vehicle() });
      const h = harness;
      const ecu = h.vehicle.ecu('adas');
      const { current, next } = images(h);
      const oldTester = h.tester('adas');
      const client = await unlocked(h, 'adas', oldTester);
      countWrites((done) => {
        if (done === cutAfter) ecu.powerLoss();
      });
      const updating = deltaUpdate(h, client).catch((err: unknown) => err);
      await vi.waitUntil(() => !ecu.powered, { timeout: 10_000, interval: 5 });
      vi.restoreAllMocks();
      await h.restart();
      await oldTester.close();
      expect(await updating).toBeInstanceOf(Error);

      const after = h.vehicle.ecu('adas');
      expect(after.boot.mode).toBe('application');
      const again = await unlocked(h, 'adas');
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(current));
      expect(await deltaUpdate(h, again)).toBe(0);
      await again.ecuReset(0x01);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
    },
  );
});
