// The flash engine's sequence, failure paths and transfer modes against ecu-sim's ecm (single-bank, 16 KiB
// region, 258-byte blocks) on the in-memory bus; the links are recorded to check what the gateway sent.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeInfoBlock } from '../../../ecu-sim/image/app-info-block.ts';
import type { VehicleDefinition } from '../../../ecu-sim/vehicle/schema.ts';
import { privateKeyFromHex, signRegion } from '@ota/uds';
import type { TesterCredential } from '@ota/uds';
import { connectEcu } from '../../../vehicle-gateway/can/ecu-connection.ts';
import { FlashAborted, flashEcu, type FlashHooks, type FlashJob } from '../../../vehicle-gateway/flash/flash-ecu.ts';
import { readVersionAndHash } from '../../../vehicle-gateway/flash/identification.ts';
import { imageForLayout, sha256Hex } from '../../../vehicle-gateway/flash/image.ts';
import { recordLinks } from './support/recorded-links.ts';
import { smallVehicle, startSimVehicle, TEST_SIGNING_KEY_FILE, type SimHarness } from './support/sim-vehicle.ts';

const SIZE = 16 * 1024;
const key = privateKeyFromHex(readFileSync(TEST_SIGNING_KEY_FILE, 'utf8').trim());

/** The small vehicle with ecm declaring no compression (full transfer) and the given block length. */
function vehicle(maxBlockLength: number, regionSize: number): VehicleDefinition {
  const d = smallVehicle(regionSize);
  return {
    ...d,
    ecus: d.ecus.map((e) =>
      e.name !== 'ecm'
        ? e
        : {
            ...e,
            flash: { ...e.flash, compressionMethods: [{ id: 0, name: 'none' }] },
            simulation: { ...e.simulation, maxBlockLength },
          },
    ),
  };
}

function someTester(): TesterCredential {
  return { certificate: Uint8Array.of(0x30, 0x00), privateKey: generateKeyPairSync('ed25519').privateKey };
}

interface Setup {
  sim: SimHarness;
  old: Uint8Array;
  next: Uint8Array;
  flashJob: FlashJob;
}

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function setup(
  o: {
    maxBlockLength?: number;
    regionSize?: number;
    faults?: string[];
    serialNumber?: string;
    hardwareId?: string;
  } = {},
  job: Partial<FlashJob> = {},
): Promise<Setup> {
  sim = await startSimVehicle({
    definition: vehicle(o.maxBlockLength ?? 258, o.regionSize ?? SIZE),
    faults: o.faults ?? [],
  });
  const ecu = sim.gatewayVehicle.ecus.find((e) => e.name === 'ecm')!;
  const old = sim.image('ecm', '2.4.1').bytes;
  const { bytes: next, image } = sim.image('ecm', '2.5.0');
  const flashJob: FlashJob = {
    ecu,
    image,
    expected: {
      serialNumber: o.serialNumber ?? ecu.identification.serialNumber,
      hardwareId: o.hardwareId ?? ecu.identification.hardwareId,
      version: '2.5.0',
    },
    secret: sim.secret('ecm'),
    fingerprint: Uint8Array.of(1, 2, 3),
    ...job,
  };
  return { sim, old, next, flashJob };
}

/** Flashes over recorded links; `loseResponseOfBlock` drops the response of that (1-based) block once. */
async function flash(s: Setup, job: FlashJob, hooks: FlashHooks = {}, loseResponseOfBlock?: number) {
  const conn = connectEcu(await s.sim.openTransport('vcan0'), job.ecu);
  const rec = recordLinks(conn.link, conn.functional, loseResponseOfBlock);
  try {
    const outcome = await flashEcu(job, rec.link, rec.functional, hooks).catch((err: unknown) => err as Error);
    const running =
      !(outcome instanceof Error) && outcome.status === 'succeeded' ? await readVersionAndHash(conn.link) : null;
    return { outcome, rec, running };
  } finally {
    await conn.close();
  }
}

/** flash() for a run that must return an outcome. */
async function flashed(s: Setup, job: FlashJob, hooks: FlashHooks = {}, loseResponseOfBlock?: number) {
  const { outcome, rec, running } = await flash(s, job, hooks, loseResponseOfBlock);
  if (outcome instanceof Error) throw outcome;
  return { outcome, rec, running };
}

describe('flashEcu against ecu-sim', () => {
  it('runs the whole sequence and the ECU then runs the new image', async () => {
    const s = await setup();
    const progress: number[] = [];
    const { outcome, rec, running } = await flashed(s, s.flashJob, { onProgress: (p) => progress.push(p.percent) });
    expect(outcome).toMatchObject({ status: 'succeeded', fromVersion: '2.4.1', toVersion: '2.5.0', methods: ['full'] });
    expect(running?.sha256).toBe(sha256Hex(s.next));
    // 16384 bytes in blocks of 256 data bytes: 64 requests of 258 bytes.
    expect(outcome.bytesSent).toBe(64 * 258);
    expect(progress.at(-1)).toBe(100);
    expect(rec.functionalRequests).toEqual(['85 2 ', '28 3 1', '28 0 1', '85 1 '].map((r) => r.trim()));
    expect(rec.requests.indexOf('2E f15a')).toBeLessThan(rec.requests.indexOf('31 ff00'));
    expect(rec.requests.at(-1)).toBe('14');
  });

  it('wraps the block sequence counter from 0xFF to 0x00', async () => {
    // One 4 KiB sector in 4-byte blocks: 1024 blocks, the counter wraps 4 times.
    const regionSize = 4096;
    const s = await setup({ maxBlockLength: 6, regionSize });
    const { outcome, rec } = await flashed(s, s.flashJob);
    expect(outcome.status).toBe('succeeded');
    expect(rec.blocksSent).toBe(regionSize / 4);
  });

  it('repeats a block whose response was lost with the same counter', async () => {
    const s = await setup();
    const { outcome } = await flashed(s, s.flashJob, {}, 10);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.bytesSent).toBe(65 * 258);
  });

  it('refuses an ECU whose serial number differs, before touching it', async () => {
    const s = await setup({ serialNumber: 'SN-OTHER' });
    const { outcome, rec } = await flashed(s, s.flashJob);
    expect(outcome).toMatchObject({ status: 'failed', step: 'identify', memoryTouched: false });
    expect(outcome.status === 'failed' && outcome.error).toContain('SN-OTHER');
    expect(rec.requests.some((r) => r.startsWith('10'))).toBe(false);
  });

  it('refuses an ECU whose hardware id differs', async () => {
    const s = await setup({ hardwareId: 'HW-2' });
    const { outcome } = await flashed(s, s.flashJob);
    expect(outcome).toMatchObject({ status: 'failed', step: 'identify' });
  });

  it('reports decoded precondition reasons and does not erase', async () => {
    const s = await setup({ faults: ['speed:12', 'battery:11000'] });
    const { outcome } = await flashed(s, s.flashJob);
    expect(outcome).toMatchObject({ status: 'failed', step: 'preconditions', memoryTouched: false });
    expect(outcome.status === 'failed' && outcome.error).toContain('vehicle speed is not zero, battery below 12.0 V');
  });

  it('reports the NRC of a wrong security key', async () => {
    const s = await setup({}, { secret: new Uint8Array(32).fill(9) });
    const { outcome, rec } = await flashed(s, s.flashJob);
    expect(outcome).toMatchObject({ status: 'failed', step: 'securityAccess', nrc: 0x35, nrcName: 'invalidKey' });
    // Communication is restored after a failure that disabled it.
    expect(rec.functionalRequests.slice(-2)).toEqual(['28 0 1', '85 1']);
  });

  it('certificateOrSeedKey: falls back to seed/key when the ECU answers 0x29 with serviceNotSupported', async () => {
    const s = await setup();
    const job = {
      ...s.flashJob,
      ecu: { ...s.flashJob.ecu, access: 'certificateOrSeedKey' as const },
      tester: someTester(),
    };
    const steps: string[] = [];
    const { outcome } = await flashed(s, job, { beforeStep: (step) => void steps.push(step) });
    expect(outcome.status).toBe('succeeded');
    expect(steps.indexOf('authentication')).toBeLessThan(steps.indexOf('securityAccess'));
  });

  it('certificate: never falls back to seed/key, and needs a tester certificate', async () => {
    const s = await setup();
    const certificateOnly = { ...s.flashJob.ecu, access: 'certificate' as const };
    const refused = await flashed(s, { ...s.flashJob, ecu: certificateOnly, tester: someTester() });
    expect(refused.outcome).toMatchObject({
      status: 'failed',
      step: 'authentication',
      nrc: 0x11,
      memoryTouched: false,
    });
    expect(refused.rec.requests.some((r) => r.startsWith('27'))).toBe(false);

    const noCert = (await flashed(s, { ...s.flashJob, ecu: certificateOnly })).outcome;
    expect(noCert).toMatchObject({ status: 'failed', step: 'authentication', nrc: null });
    expect(noCert.status === 'failed' && noCert.error).toContain('the gateway has no tester certificate');
  });

  it('reports an NRC during TransferData with the memory marked as touched', async () => {
    const s = await setup({ faults: ['ecm/nrc:0x72@transferData#5'] });
    const { outcome } = await flashed(s, s.flashJob);
    expect(outcome).toMatchObject({
      status: 'failed',
      step: 'download',
      nrc: 0x72,
      nrcName: 'generalProgrammingFailure',
      memoryTouched: true,
    });
  });

  it('fails at checkMemory when the signature does not match the image', async () => {
    const s = await setup();
    const region = s.flashJob.image.regions[0]!;
    const bad = { ...s.flashJob, image: { regions: [{ ...region, signature: new Uint8Array(64) }] } };
    const { outcome } = await flashed(s, bad);
    expect(outcome).toMatchObject({ status: 'failed', step: 'checkMemory' });
    // The new image is never activated; this single-bank ECU's old image was erased, so it stays in its bootloader.
    expect(s.sim.vehicle.ecu('ecm').status()).toMatchObject({ mode: 'bootloader', softwareVersion: null });
  });

  it('programs only the changed sectors when the current image is known', async () => {
    const s = await setup();
    const next = Uint8Array.from(s.old);
    next.set(encodeInfoBlock({ hardwareId: s.flashJob.ecu.identification.hardwareId, softwareVersion: '2.4.2' }), 0);
    next[SIZE - 1] = (next[SIZE - 1] ?? 0) ^ 0xff;
    const job = {
      ...s.flashJob,
      image: imageForLayout(s.flashJob.ecu.flash, next, [signRegion(key, next)]),
      expected: { ...s.flashJob.expected, version: '2.4.2' },
      currentImage: s.old,
    };
    const { outcome, running } = await flashed(s, { ...job, mode: 'sector-diff' });
    expect(outcome).toMatchObject({ status: 'succeeded', methods: ['sector-diff'], toVersion: '2.4.2' });
    expect(outcome.bytesSent).toBe(2 * 16 * 258);
    expect(running?.sha256).toBe(sha256Hex(next));
  });

  it('stops without clean-up when a step hook throws (a simulated kill)', async () => {
    const s = await setup();
    const { outcome, rec } = await flash(s, s.flashJob, {
      beforeStep: (step) => {
        if (step === 'checkMemory') throw new Error('killed');
      },
    });
    expect(outcome).toBeInstanceOf(FlashAborted);
    expect(rec.functionalRequests).toEqual(['85 2', '28 3 1']);
  });
});
