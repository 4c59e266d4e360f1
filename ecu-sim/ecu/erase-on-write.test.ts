// A dual-bank bootloader with eraseOnWrite (F1A2): a delta download into an inactive bank that already holds
// most of the target erases only the sectors whose content differs, and a power cut at any persistent write of
// that path leaves the old image running and the update repeatable.
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSession, NRC, sha256, type UdsClient } from '@ota/uds';
import { adasImages, adasVehicle, cutPowerDuring, downloadAdasDelta, writesOf } from '../testing/adas-delta.ts';
import { nrcOf, startHarness, type Harness } from '../testing/harness.ts';

/**
 * The persistent writes of the delta update (downloadAdasDelta) into a bank holding the old image: state.json
 * twice (the region invalidated and the new image pending at RequestDownload, before the first sector is
 * rewritten; the signature at checkMemory) and the two changed sectors' erase and program.
 */
const DELTA_STATE_WRITES = 2;
const DELTA_WRITES = DELTA_STATE_WRITES + 4;

let harness: Harness | undefined;
afterEach(async () => {
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
    const h = (harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true }) }));
    const client = await unlocked(h, 'adas');
    const writes = await writesOf(h, async () => expect(await downloadAdasDelta(h, client)).toBe(0));
    expect(writes.of).toEqual({ state: DELTA_STATE_WRITES, erase: 2, program: 2, 'in-place': 0 });
    expect(writes.total).toBe(DELTA_WRITES);
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(adasImages(h).next));
  });

  it('into an erased inactive bank it programs every sector and erases none', async () => {
    const h = (harness = await startHarness({
      definition: adasVehicle({ eraseOnWrite: true, inactiveBank: 'erased' }),
    }));
    const client = await unlocked(h, 'adas');
    const writes = await writesOf(h, async () => expect(await downloadAdasDelta(h, client)).toBe(0));
    expect(writes.of).toEqual({ state: DELTA_STATE_WRITES, erase: 0, program: 16, 'in-place': 0 });
  });

  // Every persistent write of the delta update above, cut in turn (the write cut at is not made).
  it.each(Array.from({ length: DELTA_WRITES }, (_, i) => i + 1))(
    'a power cut at persistent write %i leaves the old image running, and the update repeatable',
    async (cutAt) => {
      harness = await startHarness({ definition: adasVehicle({ eraseOnWrite: true }) });
      const h = harness;
      const { current, next } = adasImages(h);
      const oldTester = h.tester('adas');
      const client = await unlocked(h, 'adas', oldTester);
      expect(await cutPowerDuring(h, oldTester, cutAt, () => downloadAdasDelta(h, client))).toBeInstanceOf(Error);

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
