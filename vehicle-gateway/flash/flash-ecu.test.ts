import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PublicEcuDefinition } from '../../uds/vehicle/definition-schema.ts';
import { FakeEcu, type FakeEcuOptions } from './fake-ecu-link.ts';
import { FlashAborted, flashEcu, type FlashJob } from './flash-ecu.ts';
import { imageForLayout } from './image.ts';
import type { TesterCredential } from '../../uds/authentication/tester-authentication.ts';

const ADDRESS = 0x10000;
const SIZE = 16 * 1024;
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const secret = new Uint8Array(32).fill(7);

function makeImage(version: string, seed: number): Uint8Array {
  const out = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) out[i] = (i * 31 + seed) & 0xff;
  out.fill(0, 8, 32);
  out.set(Buffer.from(version, 'latin1'), 8);
  return out;
}

const ecu: PublicEcuDefinition = {
  name: 'ecm',
  can: { interface: 'vcan0', fd: false },
  addressing: { mode: 'normal11', requestId: 0x7e0, responseId: 0x7e8, functionalId: 0x7df },
  identification: {
    hardwareId: 'HW-1',
    serialNumber: 'SN-1',
    supplier: 's',
    bootSoftwareId: 'b',
    sparePartNumber: 'p',
  },
  flash: {
    banks: 'single',
    sectorSize: 4096,
    eraseTimePerSectorMs: 0,
    regions: [{ address: ADDRESS, size: SIZE }],
    compressionMethods: [{ id: 0, name: 'none' }],
  },
  codeSigningPublicKey: '00'.repeat(32),
  access: 'seedKey',
};

function someTester(): TesterCredential {
  return { certificate: Uint8Array.of(0x30, 0x00), privateKey: generateKeyPairSync('ed25519').privateKey };
}

function setup(overrides: Partial<FakeEcuOptions> = {}, job: Partial<FlashJob> = {}) {
  const old = makeImage('1.0.0', 1);
  const fake = new FakeEcu({
    address: ADDRESS,
    image: old,
    version: '1.0.0',
    serialNumber: 'SN-1',
    hardwareId: 'HW-1',
    vin: 'WVSAMPLE000000001',
    secret,
    publicKey,
    sectorSize: 4096,
    maxBlockLength: 258,
    ...overrides,
  });
  const next = makeImage('1.1.0', 2);
  const signature = new Uint8Array(sign(null, createHash('sha256').update(next).digest(), privateKey));
  const flashJob: FlashJob = {
    ecu,
    image: imageForLayout(ecu.flash, next, [signature]),
    expected: { serialNumber: 'SN-1', hardwareId: 'HW-1', version: '1.1.0' },
    secret,
    fingerprint: Uint8Array.of(1, 2, 3),
    ...job,
  };
  return { fake, old, next, flashJob };
}

describe('flashEcu', () => {
  it('runs the whole sequence and the ECU then runs the new image', async () => {
    const { fake, next, flashJob } = setup();
    const progress: number[] = [];
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional(), {
      onProgress: (p) => progress.push(p.percent),
    });
    expect(outcome).toMatchObject({ status: 'succeeded', fromVersion: '1.0.0', toVersion: '1.1.0', methods: ['full'] });
    expect(Buffer.compare(fake.running.image, next)).toBe(0);
    // 16384 bytes in blocks of 256 data bytes: 64 requests of 258 bytes.
    expect(outcome.bytesSent).toBe(64 * 258);
    expect(progress.at(-1)).toBe(100);
    expect(fake.functionalRequests).toEqual(['85 2 ', '28 3 1', '28 0 1', '85 1 '].map((s) => s.trim()));
    expect(fake.requests.indexOf('2E f15a')).toBeLessThan(fake.requests.indexOf('31 ff00'));
    expect(fake.requests.at(-1)).toBe('14');
  });

  it('wraps the block sequence counter from 0xFF to 0x00', async () => {
    // 4-byte blocks: 4096 blocks, the counter wraps 16 times.
    const { fake, flashJob } = setup({ maxBlockLength: 6 });
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional());
    expect(outcome.status).toBe('succeeded');
    expect(fake.blocksReceived).toBe(SIZE / 4);
  });

  it('repeats a block whose response was lost with the same counter', async () => {
    const { fake, flashJob } = setup({ loseResponseOfBlock: 10 });
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional());
    expect(outcome.status).toBe('succeeded');
    expect(outcome.bytesSent).toBe(65 * 258);
  });

  it('refuses an ECU whose serial number differs, before touching it', async () => {
    const { fake, flashJob } = setup({ serialNumber: 'SN-OTHER' });
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional());
    expect(outcome).toMatchObject({ status: 'failed', step: 'identify', memoryTouched: false });
    expect(outcome.status === 'failed' && outcome.error).toContain('SN-OTHER');
    expect(fake.requests.some((r) => r.startsWith('10'))).toBe(false);
  });

  it('refuses an ECU whose hardware id differs', async () => {
    const { fake, flashJob } = setup({ hardwareId: 'HW-2' });
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional());
    expect(outcome).toMatchObject({ status: 'failed', step: 'identify' });
  });

  it('reports decoded precondition reasons and does not erase', async () => {
    const { fake, flashJob } = setup({ preconditions: Uint8Array.of(0x01, 0x03) });
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional());
    expect(outcome).toMatchObject({ status: 'failed', step: 'preconditions', memoryTouched: false });
    expect(outcome.status === 'failed' && outcome.error).toContain('vehicle speed is not zero, battery below 12.0 V');
  });

  it('reports the NRC of a wrong security key', async () => {
    const { fake, flashJob } = setup({}, { secret: new Uint8Array(32).fill(9) });
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional());
    expect(outcome).toMatchObject({ status: 'failed', step: 'securityAccess', nrc: 0x35, nrcName: 'invalidKey' });
    // Communication is restored after a failure that disabled it.
    expect(fake.functionalRequests.slice(-2)).toEqual(['28 0 1', '85 1']);
  });

  it('certificateOrSeedKey: falls back to seed/key when the ECU answers 0x29 with serviceNotSupported', async () => {
    const { fake, flashJob } = setup({}, { ecu: { ...ecu, access: 'certificateOrSeedKey' }, tester: someTester() });
    const steps: string[] = [];
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional(), { beforeStep: (s) => void steps.push(s) });
    expect(outcome.status).toBe('succeeded');
    expect(steps.indexOf('authentication')).toBeLessThan(steps.indexOf('securityAccess'));
  });

  it('certificate: never falls back to seed/key, and needs a tester certificate', async () => {
    const refused = setup({}, { ecu: { ...ecu, access: 'certificate' }, tester: someTester() });
    const outcome = await flashEcu(refused.flashJob, refused.fake.link(), refused.fake.functional());
    expect(outcome).toMatchObject({ status: 'failed', step: 'authentication', nrc: 0x11, memoryTouched: false });
    expect(refused.fake.requests.some((r) => r.startsWith('27'))).toBe(false);

    const without = setup({}, { ecu: { ...ecu, access: 'certificate' } });
    const noCert = await flashEcu(without.flashJob, without.fake.link(), without.fake.functional());
    expect(noCert).toMatchObject({ status: 'failed', step: 'authentication', nrc: null });
    expect(noCert.status === 'failed' && noCert.error).toContain('the gateway has no tester certificate');
  });

  it('reports an NRC during TransferData with the memory marked as touched', async () => {
    const { fake, flashJob } = setup({ failBlock: { index: 5, nrc: 0x72 } });
    const outcome = await flashEcu(flashJob, fake.link(), fake.functional());
    expect(outcome).toMatchObject({
      status: 'failed',
      step: 'download',
      nrc: 0x72,
      nrcName: 'generalProgrammingFailure',
      memoryTouched: true,
    });
  });

  it('fails at checkMemory when the signature does not match the image', async () => {
    const { fake, flashJob } = setup();
    const bad = { ...flashJob, image: { regions: [{ ...flashJob.image.regions[0]!, signature: new Uint8Array(64) }] } };
    const outcome = await flashEcu(bad, fake.link(), fake.functional());
    expect(outcome).toMatchObject({ status: 'failed', step: 'checkMemory' });
    expect(fake.running.version).toBe('1.0.0');
  });

  it('programs only the changed sectors when the current image is known', async () => {
    const { fake, old, flashJob } = setup();
    const next = Uint8Array.from(old);
    next.fill(0, 8, 32);
    next.set(Buffer.from('1.0.1', 'latin1'), 8);
    next[SIZE - 1] = (next[SIZE - 1] ?? 0) ^ 0xff;
    const signature = new Uint8Array(sign(null, createHash('sha256').update(next).digest(), privateKey));
    const job = {
      ...flashJob,
      image: imageForLayout(ecu.flash, next, [signature]),
      expected: { ...flashJob.expected, version: '1.0.1' },
      currentImage: old,
    };
    const outcome = await flashEcu({ ...job, mode: 'sector-diff' }, fake.link(), fake.functional());
    expect(outcome).toMatchObject({ status: 'succeeded', methods: ['sector-diff'], toVersion: '1.0.1' });
    expect(outcome.bytesSent).toBe(2 * 16 * 258);
    expect(Buffer.compare(fake.running.image, next)).toBe(0);
  });

  it('stops without clean-up when a step hook throws (a simulated kill)', async () => {
    const { fake, flashJob } = setup();
    const run = flashEcu(flashJob, fake.link(), fake.functional(), {
      beforeStep: (step) => {
        if (step === 'checkMemory') throw new Error('killed');
      },
    });
    await expect(run).rejects.toBeInstanceOf(FlashAborted);
    expect(fake.functionalRequests).toEqual(['85 2', '28 3 1']);
  });
});
