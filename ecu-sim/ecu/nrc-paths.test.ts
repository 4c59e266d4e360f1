import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  computeSecurityKey,
  DiagnosticSession,
  encodeMemoryRange,
  RoutineId,
  type UdsClient,
  UdsTimeoutError,
} from '@ota/uds';
import { nrcOf, regionImage, startHarness, type Harness } from '../testing/harness.ts';
import { testSigningKeyHex } from '../testing/test-vehicle.ts';
import { eraseAndOpenDownload, programRegion, signImage } from '../testing/tester.ts';
import { DTC } from './dtc-codes.ts';

let harness: Harness;
afterEach(async () => {
  vi.useRealTimers();
  await harness.close();
});

const secretOf = (h: Harness, name: string): Uint8Array =>
  Buffer.from(h.vehicle.ecu(name).definition.simulation.securitySecret, 'hex');

async function unlocked(h: Harness, name: string): Promise<UdsClient> {
  const { client } = h.tester(name);
  await client.diagnosticSessionControl(DiagnosticSession.extended);
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, secretOf(h, name));
  return client;
}

const REGION = (h: Harness, name: string) => h.vehicle.ecu(name).definition.flash.regions[0]!;

describe('SecurityAccess', () => {
  it('answers invalidKey twice, exceededNumberOfAttempts the third time, then locks for 10 s (also across a power cycle)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    harness = await startHarness();
    const { client } = harness.tester('ecm');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    const wrong = new Uint8Array(16);
    const answers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const seed = await client.requestSeed(0x11);
      expect(seed).toHaveLength(16);
      answers.push(await nrcOf(client.sendKey(0x11, wrong)));
    }
    expect(answers).toEqual([0x35, 0x35, 0x36]);
    expect(await nrcOf(client.requestSeed(0x11))).toBe(0x37);

    await harness.vehicle.powerCycle('ecm');
    const again = harness.tester('ecm').client;
    await again.diagnosticSessionControl(DiagnosticSession.programming);
    expect(await nrcOf(again.requestSeed(0x11))).toBe(0x37);

    vi.setSystemTime(Date.now() + 10_001);
    await again.unlock(0x11, secretOf(harness, 'ecm'));
    expect(await again.requestSeed(0x11)).toEqual(new Uint8Array(16)); // already unlocked: zero seed
  });

  it('refuses a key without a seed, and every key under the refuse-keys fault', async () => {
    harness = await startHarness({ faults: ['bcm/refuse-keys'] });
    const ecm = harness.tester('ecm').client;
    await ecm.diagnosticSessionControl(DiagnosticSession.programming);
    expect(await nrcOf(ecm.sendKey(0x11, new Uint8Array(16)))).toBe(0x24);
    const bcm = harness.tester('bcm').client;
    await bcm.diagnosticSessionControl(DiagnosticSession.programming);
    const seed = await bcm.requestSeed(0x11);
    expect(await nrcOf(bcm.sendKey(0x11, computeSecurityKey(secretOf(harness, 'bcm'), seed)))).toBe(0x35);
  });
});

describe('programming sequence errors', () => {
  it('wrong session and missing security', async () => {
    harness = await startHarness();
    const { client } = harness.tester('ecm');
    expect(await nrcOf(client.requestSeed(0x11))).toBe(0x7f);
    expect(await nrcOf(client.request(Uint8Array.of(0x34, 0x00, 0x44, 0, 1, 0, 0, 0, 0, 0x10, 0)))).toBe(0x7f);
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await nrcOf(client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(0x10000, 1024)))).toBe(0x31);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    expect(await nrcOf(client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(0x10000, 1024)))).toBe(0x33);
    expect(await nrcOf(client.requestDownload({ dataFormatIdentifier: 0, address: 0x10000, size: 16 }))).toBe(0x33);
    expect(await nrcOf(client.writeDataByIdentifier(0xf15a, Uint8Array.of(1)))).toBe(0x33);
  });

  it('refuses programming while the preconditions are not met', async () => {
    harness = await startHarness({ faults: ['speed:12', 'battery:11000'] });
    const { client } = harness.tester('ecm');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await client.startRoutine(RoutineId.checkProgrammingPreconditions)).toEqual(Uint8Array.of(0x01, 0x03));
    expect(await nrcOf(client.diagnosticSessionControl(DiagnosticSession.programming))).toBe(0x22);
    harness.vehicle.applyFault('speed:0');
    harness.vehicle.applyFault('battery:12500');
    expect(await client.startRoutine(RoutineId.checkProgrammingPreconditions)).toEqual(Uint8Array.of(0x00));
    expect(await client.readDataByIdentifier(0x0100)).toEqual(Uint8Array.of(0x30, 0xd4));
  });

  it('out-of-range addresses, misaligned erase, unsupported formats', async () => {
    harness = await startHarness();
    const client = await unlocked(harness, 'ecm');
    const r = REGION(harness, 'ecm');
    expect(await nrcOf(client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(0, 1024)))).toBe(0x31);
    expect(await nrcOf(client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(r.address + 1, 1024)))).toBe(0x31);
    expect(await nrcOf(client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(r.address, r.size + 1024)))).toBe(
      0x31,
    );
    expect(await nrcOf(client.startRoutine(RoutineId.eraseMemory, Uint8Array.of(0x44, 1, 2)))).toBe(0x13);
    const dl = (address: number, size: number, dfi = 0) =>
      client.requestDownload({ dataFormatIdentifier: dfi, address, size });
    expect(await nrcOf(dl(r.address + r.size, 16))).toBe(0x31);
    expect(await nrcOf(dl(r.address, r.size + 1))).toBe(0x31);
    expect(await nrcOf(dl(r.address, 16, 0x01))).toBe(0x31); // encryption
    expect(await nrcOf(dl(r.address, 16, 0x30))).toBe(0x31); // compression method not declared
    expect(await nrcOf(client.transferData(1, Uint8Array.of(1)))).toBe(0x24);
    expect(await nrcOf(client.requestTransferExit())).toBe(0x24);
  });

  it('download without erase answers generalProgrammingFailure', async () => {
    harness = await startHarness();
    const client = await unlocked(harness, 'ecm');
    const r = REGION(harness, 'ecm');
    await client.requestDownload({ dataFormatIdentifier: 0, address: r.address, size: 64 });
    expect(await nrcOf(client.transferData(1, new Uint8Array(64)))).toBe(0x72);
  });

  it('wrong block sequence counter: a repeat is acknowledged and not written twice, others are 0x73', async () => {
    harness = await startHarness();
    const client = await unlocked(harness, 'ecm');
    const r = REGION(harness, 'ecm');
    const image = regionImage(harness, 'ecm', '3.0.0');
    const n = await eraseAndOpenDownload(client, r, image.length);
    expect(await nrcOf(client.transferData(2, image.subarray(0, n)))).toBe(0x73);
    await client.transferData(1, image.subarray(0, n));
    await client.transferData(1, image.subarray(0, n)); // lost response: repeated, not written again
    expect(await nrcOf(client.transferData(5, image.subarray(n, 2 * n)))).toBe(0x73);
    expect(await nrcOf(client.requestTransferExit())).toBe(0x24); // incomplete
    let bsc = 2;
    for (let offset = n; offset < image.length; offset += n, bsc = (bsc + 1) & 0xff) {
      await client.transferData(bsc, image.subarray(offset, offset + n));
    }
    await client.requestTransferExit();
    const signature = signImage(testSigningKeyHex(), image);
    expect(await client.startRoutine(RoutineId.checkMemory, signature)).toEqual(Uint8Array.of(0x00));
  });

  it('an invalid signature is reported, never activated; a single-bank ECU stays in its bootloader', async () => {
    harness = await startHarness();
    const { client } = harness.tester('ecm');
    const def = harness.vehicle.ecu('ecm').definition;
    const image = regionImage(harness, 'ecm', '3.1.0');
    const otherImage = regionImage(harness, 'ecm', '3.1.1');
    const result = await programRegion(client, def, image, signImage(testSigningKeyHex(), otherImage));
    expect(result).toEqual({ checkMemory: 0x01, dependencies: 0x01 });
    await client.ecuReset(0x01);
    expect(harness.vehicle.ecu('ecm').boot.mode).toBe('bootloader');
    expect(await client.readDataByIdentifier(0xf189)).toEqual(new Uint8Array(0));
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(new Uint8Array(32));
    expect((await client.readDataByIdentifier(0xf1a1))[0]).toBe(0xff);
    const dtcs = await client.readDtcInformation({ reportType: 0x02, statusMask: 0xff });
    expect(dtcs).toMatchObject({ records: [{ dtc: DTC.applicationInvalid, status: 0x09 }] });
    // still programmable: the right signature brings the application back
    const fixed = await programRegion(client, def, image, signImage(testSigningKeyHex(), image));
    expect(fixed).toEqual({ checkMemory: 0, dependencies: 0 });
    await client.ecuReset(0x01);
    expect(Buffer.from(await client.readDataByIdentifier(0xf189)).toString()).toBe('3.1.0');
  });

  it('a dual-bank ECU keeps its running bank when the new one is invalid (bit flip in transfer)', async () => {
    harness = await startHarness({ faults: ['bcm/flip:3'] });
    const { client } = harness.tester('bcm');
    const def = harness.vehicle.ecu('bcm').definition;
    const image = regionImage(harness, 'bcm', '4.0.0');
    const result = await programRegion(client, def, image, signImage(testSigningKeyHex(), image));
    expect(result.checkMemory).toBe(0x01);
    await client.ecuReset(0x01);
    expect(Buffer.from(await client.readDataByIdentifier(0xf189)).toString()).toBe(def.simulation.softwareVersion);
    expect((await client.readDataByIdentifier(0xf1a1))[0]).toBe(0x0a);
    const dtcs = await client.readDtcInformation({ reportType: 0x0a });
    expect(dtcs).toMatchObject({ records: [{ dtc: DTC.programmingFailed }] });
  });

  it('answers responsePending while a (slow) erase runs, then the final answer', async () => {
    harness = await startHarness({ faults: ['ecm/slow-erase:20'] });
    const client = await unlocked(harness, 'ecm');
    const r = REGION(harness, 'ecm');
    const pending: string[] = [];
    const sniffer = harness.busOf('ecm').attach('sniffer');
    sniffer.subscribe(null, (f) => {
      if (f.id === 0x7e8 && f.data[1] === 0x7f) pending.push(Buffer.from(f.data.subarray(0, 4)).toString('hex'));
    });
    expect(await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(r.address, r.size))).toEqual(
      Uint8Array.of(0),
    );
    expect(pending.length).toBeGreaterThan(0);
    expect(new Set(pending)).toEqual(new Set(['037f3178']));
  });

  it('holds answers back with a delay fault (the tester times out), only at the chosen step', async () => {
    harness = await startHarness({ faults: ['ecm/delay:400@readDid'] });
    const { client } = harness.tester('ecm');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    await expect(client.readDataByIdentifier(0xf190)).rejects.toBeInstanceOf(UdsTimeoutError);
  });

  it('answers an injected NRC at the chosen step', async () => {
    harness = await startHarness({ faults: ['ecm/nrc:0x22@erase', 'ecm/nrc:0x31@readDid#2'] });
    const client = await unlocked(harness, 'ecm');
    const r = REGION(harness, 'ecm');
    expect(await nrcOf(client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(r.address, r.size)))).toBe(0x22);
    await client.readDataByIdentifier(0xf190);
    expect(await nrcOf(client.readDataByIdentifier(0xf190))).toBe(0x31);
    expect(Buffer.from(await client.readDataByIdentifier(0xf190)).toString()).toBe(harness.vehicle.definition.vin);
  });
});

describe('S3 timeout', () => {
  it('leaving the bootloader by S3 reboots: an erased single-bank ECU stays in its bootloader', async () => {
    harness = await startHarness({ s3ServerMs: 200 });
    const client = await unlocked(harness, 'ecm');
    const r = REGION(harness, 'ecm');
    await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(r.address, r.size));
    const ecm = harness.vehicle.ecu('ecm');
    const bootsBefore = ecm.status().bootCount;
    await client.close(); // no more TesterPresent
    await vi.waitUntil(() => ecm.status().session === DiagnosticSession.default, { timeout: 5000, interval: 20 });
    expect(ecm.status()).toMatchObject({ mode: 'bootloader', bootCount: bootsBefore + 1, securityLevel: 0 });
    const again = harness.tester('ecm').client;
    expect((await again.readDataByIdentifier(0xf1a1))[0]).toBe(0xff);
  });
});
