// A dual-bank delta applied while it arrives (streaming-delta.ts): the inactive bank's changed sectors are erased
// (eraseOnWrite) and programmed as TransferData blocks come, before RequestTransferExit; a power cut at any
// persistent write of it leaves the active bank booting and the inactive one unsigned; a corrupt or truncated
// delta is refused at `37` with 0x72 and the active bank untouched; a download abandoned mid-way (session left,
// ECUReset, S3 expiry) stops writing, leaves the active bank booting and the partial one unsigned, never
// activated, and a new download's writer starts only once it stopped; a second RequestDownload while one is
// open is refused with 0x22 as for any download.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode as encodeDelta } from '@ota/delta';
import { DiagnosticSession, NRC, RoutineId, sha256, type UdsClient } from '@ota/uds';
import { otherBank } from '../flash/ecu-state.ts';
import { ADAS, adasVehicle, cutPowerDuring } from '../testing/adas-delta.ts';
import { nrcOf, regionImage, startHarness, type Harness } from '../testing/harness.ts';
import type { Fault } from '../faults/fault-spec.ts';
import { countPowerWrites, type PowerWrites } from '../testing/power-writes.ts';
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
async function start(s3ServerMs?: number): Promise<Harness> {
  const definition = adasVehicle({ eraseOnWrite: true, maxBlockLength: BLOCK + 2 });
  const h = await startHarness({ definition, ...(s3ServerMs ? { s3ServerMs } : {}) });
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

/** RequestDownload of the whole region with `dataFormatIdentifier` (0x10: a delta). */
async function requestDownload(h: Harness, client: UdsClient, dataFormatIdentifier = 0x10): Promise<unknown> {
  const region = h.vehicle.ecu(ADAS).definition.flash.regions[0]!;
  return client.requestDownload({ dataFormatIdentifier, address: region.address, size: region.size });
}

/** TransferData of `pkg`'s blocks [from, to) (block i carries counter i + 1, wrapping). */
async function transferBlocks(client: UdsClient, pkg: Uint8Array, from = 0, to = Math.ceil(pkg.length / BLOCK)) {
  for (let i = from; i < to; i++) await client.transferData((i + 1) & 0xff, pkg.subarray(i * BLOCK, (i + 1) * BLOCK));
}

/** RequestDownload of `pkg` as a delta and its TransferData blocks, without RequestTransferExit. */
async function sendBlocks(h: Harness, client: UdsClient, pkg: Uint8Array): Promise<void> {
  await requestDownload(h, client);
  await transferBlocks(client, pkg);
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

/** S3server for the abandon tests: the tester's TesterPresent keeps the session until it is closed. */
const S3_MS = 1000;

/** Ways a tester abandons a download in the programming session; each resolves once adas has rebooted. */
const ABANDONS: [string, (h: Harness, tester: Tester) => Promise<unknown>][] = [
  ['a session change to default', (_h, t) => t.client.diagnosticSessionControl(DiagnosticSession.default)],
  ['an ECUReset', (_h, t) => t.client.ecuReset(0x01)],
  [
    'the S3 timeout',
    async (h, t) => {
      const ecu = h.vehicle.ecu(ADAS);
      const boots = ecu.status().bootCount;
      await t.close(); // no more TesterPresent
      await vi.waitUntil(() => ecu.status().bootCount > boots, { timeout: 10_000, interval: 5 });
    },
  ],
];

/**
 * Unlocks adas, sets `fault`, sends the whole delta (no `37`) and waits until its first sector is programmed;
 * then the writer, slowed by the fault, still has most of the changed sectors to write.
 */
async function midway(h: Harness, tester: Tester, fault: Fault): Promise<PowerWrites> {
  const ecu = h.vehicle.ecu(ADAS);
  const { current, next } = images(h);
  const client = await unlocked(h, tester);
  ecu.faults.add(fault);
  const writes = countPowerWrites(ecu.power);
  await sendBlocks(h, client, encodeDelta(current, next, { quality: 5 }));
  await vi.waitUntil(() => writes.of.program >= 1, { timeout: 10_000, interval: 5 });
  return writes;
}

describe('a streamed dual-bank delta abandoned mid-way', () => {
  it.each(ABANDONS)(
    '%s: the old bank boots, the partial one is never activated, nothing more is written, an update then succeeds',
    async (_name, abandon) => {
      const h = (harness = await start(S3_MS));
      const ecu = h.vehicle.ecu(ADAS);
      const { current, next } = images(h);
      const active = ecu.memory.state.activeBank;
      const tester = h.tester(ADAS);
      // Each changed sector's erase takes 300 ms: 2.4 s for all, the abandon comes during the second.
      const writes = await midway(h, tester, { kind: 'slowErase', msPerSector: 300 });

      await abandon(h, tester);
      const after = countPowerWrites(ecu.power);
      const programmed = writes.of.program;
      await ecu.programming.settled();
      expect(programmed).toBeLessThan(CHANGED.length); // abandoned mid-way
      expect(after.total).toBe(0); // the writer stopped at the abandon
      ecu.faults.clear();

      expect(ecu.boot.mode).toBe('application');
      expect(ecu.memory.state.activeBank).toBe(active);
      expect(Buffer.from(ecu.memory.bank(active).readRegion(0)).equals(current)).toBe(true);
      expect(Buffer.from(ecu.memory.bank(otherBank(active)).readRegion(0)).equals(current)).toBe(false);
      expect(inactiveSignature(h)).toBeNull();
      expect(ecu.memory.isBankValid(otherBank(active))).toBe(false);
      const again = await unlocked(h);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(current));
      expect(await nrcOf(again.startRoutine(RoutineId.switchToPreviousBank))).toBe(NRC.conditionsNotCorrect);
      await again.startRoutine(RoutineId.confirmActiveBank);
      await again.ecuReset(0x01);
      expect(ecu.memory.state.activeBank).toBe(active);
      expect(await again.readDataByIdentifier(0xf1a0)).toEqual(sha256(current));

      const retry = await unlocked(h);
      expect(await update(h, retry)).toBe(0);
      await retry.ecuReset(0x01);
      expect(await retry.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
    },
  );

  it('a write under way at the abandon finishes before the next download writes anything', async () => {
    const h = (harness = await start());
    const ecu = h.vehicle.ecu(ADAS);
    const tester = h.tester(ADAS);
    // Each flash write takes a second: the first sector's program is still under way at the ECUReset.
    await midway(h, tester, { kind: 'slowFlashWrite', ms: 1000 });
    await tester.client.ecuReset(0x01);
    ecu.faults.clear();
    const after = countPowerWrites(ecu.power);
    const flashWritesAtStop = ecu.programming.settled().then(() => after.of.erase + after.of.program);
    const retry = await unlocked(h);
    expect(await update(h, retry)).toBe(0);
    expect(await flashWritesAtStop).toBe(0);
    expect(after.of.program).toBeGreaterThan(0); // the retry did write, after the stop
  });

  it('a second RequestDownload while one is open is refused with 0x22, streamed or not; the open stream goes on', async () => {
    const h = (harness = await start());
    const { current, next } = images(h);
    const pkg = encodeDelta(current, next, { quality: 5 });
    const writes = countPowerWrites(h.vehicle.ecu(ADAS).power);
    let client = await unlocked(h);
    await requestDownload(h, client, 0x00); // uncompressed: written block by block, not streamed
    expect(await nrcOf(requestDownload(h, client, 0x00))).toBe(NRC.conditionsNotCorrect);
    expect(await nrcOf(requestDownload(h, client))).toBe(NRC.conditionsNotCorrect);
    await client.ecuReset(0x01);

    client = await unlocked(h);
    await requestDownload(h, client);
    const half = Math.ceil(pkg.length / BLOCK / 2);
    await transferBlocks(client, pkg, 0, half);
    await vi.waitUntil(() => writes.of.program >= 1, { timeout: 10_000, interval: 5 });
    expect(await nrcOf(requestDownload(h, client))).toBe(NRC.conditionsNotCorrect);
    expect(await nrcOf(requestDownload(h, client, 0x00))).toBe(NRC.conditionsNotCorrect);
    await transferBlocks(client, pkg, half);
    await client.requestTransferExit();
    const status = await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), next));
    expect(status).toEqual(Uint8Array.of(0));
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
  });
});
