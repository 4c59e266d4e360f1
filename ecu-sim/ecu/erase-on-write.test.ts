// A dual-bank bootloader with eraseOnWrite (F1A2): a delta download into an inactive bank that already holds
// most of the target erases only the sectors whose content differs, and a power cut at any persistent write of
// that path leaves the old image running and the update repeatable.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiagnosticSession, NRC, sha256, type UdsClient } from '@ota/uds';
import { adasImages, adasVehicle, cutPowerDuring, downloadAdasDelta } from '../testing/adas-delta.ts';
import { nrcOf, startHarness, type Harness } from '../testing/harness.ts';
import { countWrites } from '../testing/flash-writes.ts';

let harness: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = undefined;
});

async function unlocked(h: Harness, name: string, tester = h.tester(name)): Promise<UdsClient> {
  const { client } = tester;
  await client.diagnosticSessionControl(DiagnosticSession.extended);
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, Buffer.from(h.vehicle.ecu(name).definition.simulation.securitySecret, 'hex'));
  return client;
}

describe('eraseOnWrite (F1A2)', () => {
  it('is reported by an ECU that supports it and refused (0x31) by one that does not', async () => {
    harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true }) });
    expect(await harness.tester('adas').client.readDataByIdentifier(0xf1a2)).toEqual(Uint8Array.of(0x01));
    expect(await nrcOf(harness.tester('bcm').client.readDataByIdentifier(0xf1a2))).toBe(NRC.requestOutOfRange);
  });

  it('a delta into an inactive bank holding the old image erases and writes only the two changed sectors', async () => {
    harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true }) });
    const client = await unlocked(harness, 'adas');
    const counts = countWrites(() => undefined);
    expect(await downloadAdasDelta(harness, client)).toBe(0);
    expect({ erases: counts.erases(), writes: counts.writes() }).toEqual({ erases: 2, writes: 4 });
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(adasImages(harness).next));
  });

  it('into an erased inactive bank it programs every sector and erases none', async () => {
    harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true, inactiveBank: 'erased' }) });
    const client = await unlocked(harness, 'adas');
    const counts = countWrites(() => undefined);
    expect(await downloadAdasDelta(harness, client)).toBe(0);
    expect({ erases: counts.erases(), writes: counts.writes() }).toEqual({ erases: 0, writes: 16 });
  });

  // Cut 0: after the region was invalidated in state.json, before the first bank write; 1-4: after each write
  // (4: the region is complete but not yet checked).
  it.each([0, 1, 2, 3, 4])(
    'a power cut after %i bank writes leaves the old image running, and the update repeatable',
    async (cutAfter) => {
      harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true }) });
      const h = harness;
      const { current, next } = adasImages(h);
      const oldTester = h.tester('adas');
      const client = await unlocked(h, 'adas', oldTester);
      expect(await cutPowerDuring(h, oldTester, cutAfter, () => downloadAdasDelta(h, client))).toBeInstanceOf(Error);

      const after = h.vehicle.ecu('adas');
      expect(after.boot.mode).toBe('application');
      const again = await unlocked(h, 'adas');
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(current));
      expect(await downloadAdasDelta(h, again)).toBe(0);
      await again.ecuReset(0x01);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
    },
  );
});
