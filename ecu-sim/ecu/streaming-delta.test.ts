// A dual-bank delta applied while it arrives (streaming-delta.ts): the inactive bank's changed sectors are erased
// (eraseOnWrite) and programmed as TransferData blocks come, before RequestTransferExit; a power cut at any
// persistent write of it leaves the active bank booting and the inactive one unsigned; a corrupt or truncated
// delta is refused at `37` with 0x72 and the active bank untouched.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode as encodeDelta } from '@ota/delta';
import { DiagnosticSession, NRC, RoutineId, sha256, type UdsClient } from '@ota/uds';
import { otherBank } from '../flash/ecu-state.ts';
import { ADAS, adasVehicle, cutPowerDuring } from '../testing/adas-delta.ts';
import { nrcOf, regionImage, startHarness, type Harness } from '../testing/harness.ts';
import { countPowerWrites } from '../testing/power-writes.ts';
import { testSigningKeyHex } from '../testing/test-vehicle.ts';
import { signImage, type Tester } from '../testing/tester.ts';

/** Data bytes per TransferData block: small, so the delta takes many blocks. */
const BLOCK = 96;
/** Sectors (of 1 KiB) whose content the new image changes: 0 (the info block's version) and six more. */
const CHANGED = [0, 1, 2, 5, 6, 7, 11, 14];
/** state.json at RequestDownload, each changed sector's erase and program, state.json at checkMemory. */
const WRITES = 1 + 2 * CHANGED.length + 1;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/**
 * adas with eraseOnWrite and small blocks, its inactive bank holding the old image as a valid previous release
 * (signed in state.json): the download must take that signature away before it writes a sector.
 */
async function start(): Promise<Harness> {
  const h = await startHarness({ definition: adasVehicle({ eraseOnWrite: true, maxBlockLength: BLOCK + 2 }) });
  const signature = Buffer.from(signImage(testSigningKeyHex(), images(h).current)).toString('hex');
  h.vehicle.ecu(ADAS).memory.update((s) => (s.signatures[otherBank(s.activeBank)][0] = signature));
  return h;
}

function images(h: Harness): { current: Uint8Array; next: Uint8Array } {
  const def = h.vehicle.ecu(ADAS).definition;
  const current = regionImage(h, ADAS, def.simulation.softwareVersion);
  const next = Uint8Array.from(current);
  next.set(Buffer.from('5.0.4\0'), 8);
  const sector = def.flash.sectorSize;
  for (const s of CHANGED.slice(1)) for (let i = 0; i < 150; i++) next[s * sector + i * 5] = (s * 31 + i * 7) & 0xff;
  return { current, next };
}

async function unlocked(h: Harness, tester: Tester = h.tester(ADAS)): Promise<UdsClient> {
  const { client } = tester;
  await client.diagnosticSessionControl(DiagnosticSession.extended);
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, Buffer.from(h.vehicle.ecu(ADAS).definition.simulation.securitySecret, 'hex'));
  return client;
}

/** RequestDownload of `pkg` as a delta and its TransferData blocks, without RequestTransferExit. */
async function sendBlocks(h: Harness, client: UdsClient, pkg: Uint8Array): Promise<void> {
  const region = h.vehicle.ecu(ADAS).definition.flash.regions[0]!;
  await client.requestDownload({ dataFormatIdentifier: 0x10, address: region.address, size: region.size });
  for (let at = 0, bsc = 1; at < pkg.length; at += BLOCK, bsc = (bsc + 1) & 0xff) {
    await client.transferData(bsc, pkg.subarray(at, at + BLOCK));
  }
}

/** The whole update: blocks, `37`, checkMemory; returns checkMemory's status. */
async function update(h: Harness, client: UdsClient): Promise<number> {
  const { current, next } = images(h);
  await sendBlocks(h, client, encodeDelta(current, next, { quality: 5 }));
  await client.requestTransferExit();
  const status = await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), next));
  return status?.[0] ?? -1;
}

/** The inactive bank's recorded signature of the region, as persisted in state.json. */
function inactiveSignature(h: Harness): string | null {
  const { state } = h.vehicle.ecu(ADAS).memory;
  return state.signatures[otherBank(state.activeBank)][0] ?? null;
}

describe('a dual-bank delta applied while it arrives', () => {
  it('erases and programs the changed sectors while the blocks come, before RequestTransferExit', async () => {
    const h = (harness = await start());
    const client = await unlocked(h);
    const { current, next } = images(h);
    const pkg = encodeDelta(current, next, { quality: 5 });
    expect(pkg.length).toBeGreaterThan(10 * BLOCK);
    const writes = countPowerWrites(h.vehicle.ecu(ADAS).power);
    await sendBlocks(h, client, pkg);
    // No RequestTransferExit yet: the sectors are written all the same (this would time out if they waited for it).
    await vi.waitUntil(() => writes.of.program === CHANGED.length, { timeout: 10_000, interval: 5 });
    expect(writes.of).toEqual({ state: 1, erase: CHANGED.length, program: CHANGED.length, 'in-place': 0 });
    expect(inactiveSignature(h)).toBeNull();
    await client.requestTransferExit();
    expect(await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), next))).toEqual(
      Uint8Array.of(0),
    );
    expect(writes.total).toBe(WRITES);
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
  });

  it.each([
    ['corrupt', (pkg: Uint8Array) => Uint8Array.from(pkg, (b, i) => (i > pkg.length / 2 ? b ^ 0x55 : b))],
    ['truncated', (pkg: Uint8Array) => pkg.subarray(0, pkg.length - 40)],
  ])('a %s delta is refused at 37 with 0x72, the active bank untouched and booting', async (_name, damage) => {
    const h = (harness = await start());
    const client = await unlocked(h);
    const { current, next } = images(h);
    const active = h.vehicle.ecu(ADAS).memory.state.activeBank;
    await sendBlocks(h, client, damage(encodeDelta(current, next, { quality: 5 })));
    expect(await nrcOf(client.requestTransferExit())).toBe(NRC.generalProgrammingFailure);
    expect(inactiveSignature(h)).toBeNull();
    expect(Buffer.from(h.vehicle.ecu(ADAS).memory.bank(active).readRegion(0)).equals(current)).toBe(true);
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(current));
  });

  // Every persistent write of the update, cut in turn (the write cut at is not made).
  it.each(Array.from({ length: WRITES }, (_, i) => i + 1))(
    'a power cut at persistent write %i boots the active bank, the inactive one unsigned; the update repeats',
    async (cutAt) => {
      const h = (harness = await start());
      const { current, next } = images(h);
      const tester = h.tester(ADAS);
      const client = await unlocked(h, tester);
      expect(await cutPowerDuring(h, tester, cutAt, () => update(h, client))).toBeInstanceOf(Error);

      const after = h.vehicle.ecu(ADAS);
      expect(after.boot.mode).toBe('application');
      const { activeBank } = after.memory.state;
      expect(Buffer.from(after.memory.bank(activeBank).readRegion(0)).equals(current)).toBe(true);
      // The inactive region keeps its signature only while it holds what that signs (nothing written yet); once a
      // sector changed it is unsigned until checkMemory over the whole region, whose write was the last and was cut.
      const inactive = Buffer.from(after.memory.bank(otherBank(activeBank)).readRegion(0));
      if (!inactive.equals(current)) expect(inactiveSignature(h)).toBeNull();
      expect(inactiveSignature(h) === null).toBe(cutAt > 1);
      const again = await unlocked(h);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(current));
      expect(await update(h, again)).toBe(0);
      await again.ecuReset(0x01);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
    },
  );
});
