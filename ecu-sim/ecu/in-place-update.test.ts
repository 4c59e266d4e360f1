// A single-bank in-place update: refused before anything changes when the patch or the download does not fit;
// cut off at every persistent write it makes (flash erase or program, state.json,
// the in-place record), and again at a write of the resume that follows: after each power-on the region holds
// the old image and still boots it, or the bootloader resumed to exactly the new image (which the new
// signature then verifies) and stays in the bootloader until checkMemory; never a mix, never a wrong image.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeInPlace } from '@ota/delta';
import { NegativeResponse, NRC, privateKeyFromHex, publicKeyFromHex, sha256, signRegion } from '@ota/uds';
import { EcuFaults } from '../faults/ecu-faults.ts';
import { PowerLostError, PowerSupply } from '../flash/power.ts';
import { provisionEcuIfAbsent } from '../flash/provision.ts';
import { encodeInfoBlock } from '../image/app-info-block.ts';
import { countPowerWrites } from '../testing/power-writes.ts';
import { testSigningKeyHex, testVehicle, VEHICLES_DIR } from '../testing/test-vehicle.ts';
import { EcuMemory } from './ecu-memory.ts';
import { Programming } from './programming.ts';
import { secureBoot } from './secure-boot.ts';

const IN_PLACE_ID = 3;
const SEGMENT = 4096;

/** A fresh supply cut at its `cutAt`-th persistent write (0: never). */
function cutAtWrite(cutAt: number): PowerSupply {
  const power = new PowerSupply();
  countPowerWrites(power, cutAt);
  return power;
}

const def = testVehicle().ecus.find((e) => e.name === 'ecm')!;
def.flash.compressionMethods.push({ id: IN_PLACE_ID, name: 'delta-in-place' });
const region = def.flash.regions[0]!;
const key = privateKeyFromHex(testSigningKeyHex());
const root = mkdtempSync(join(tmpdir(), 'ecu-sim-in-place-'));
const pristine = join(root, 'pristine');
provisionEcuIfAbsent(def, pristine, VEHICLES_DIR, key);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function open(dir: string, power: PowerSupply) {
  const memory = new EcuMemory(def, dir, power, publicKeyFromHex(def.codeSigningPublicKey));
  const programming = new Programming(memory, new EcuFaults(), power, { maxBlockLength: 1026, sleep: async () => {} });
  return { memory, programming };
}

/** The new image: code moved both ways across segments, a new version in the info block. */
function newImage(old: Uint8Array): Uint8Array {
  const neu = Buffer.concat([
    old.subarray(0, 3000),
    Buffer.alloc(700, 0x5a),
    old.subarray(3000, 9000),
    old.subarray(9700),
  ]);
  neu.set(old.subarray(1000, 2000), 12_000); // something the last segment reads from the first
  neu.set(encodeInfoBlock({ hardwareId: 'ECM-HW-0400', softwareVersion: '9.9.9' }), 0);
  return new Uint8Array(neu.subarray(0, old.length));
}

async function download(programming: Programming, patch: Uint8Array): Promise<void> {
  programming.requestDownload({ address: region.address, size: region.size }, IN_PLACE_ID << 4);
  for (let i = 0, bsc = 1; i < patch.length; i += 1024, bsc = (bsc + 1) & 0xff) {
    await programming.transferData(bsc, patch.subarray(i, i + 1024));
  }
  await programming.transferExit();
}

/** Power on after a cut: the bootloader resumes (optionally cut again at `cutResumeAt`), then secure boot. */
async function powerOn(dir: string, cutResumeAt = 0) {
  const { memory, programming } = open(dir, cutAtWrite(cutResumeAt));
  await programming.resumeInPlace();
  memory.close();
  const again = open(dir, new PowerSupply());
  await again.programming.resumeInPlace();
  const boot = secureBoot(again.memory, 3);
  return { memory: again.memory, boot };
}

describe('in-place update cut at every persistent write', async () => {
  const reference = open(pristine, new PowerSupply());
  const old = reference.memory.bank('A').readRegion(0);
  reference.memory.close();
  const neu = newImage(old);
  const signature = signRegion(key, neu);
  const patch = encodeInPlace(old, neu, { segmentSize: SEGMENT, quality: 5 });

  // The uncut run: how many persistent writes the whole update makes.
  const whole = join(root, 'whole');
  cpSync(pristine, whole, { recursive: true });
  const power = new PowerSupply();
  const counted = countPowerWrites(power);
  const uncut = open(whole, power);
  await download(uncut.programming, patch);
  const writes = counted.total;
  expect(Buffer.from(uncut.memory.bank('A').readRegion(0)).equals(Buffer.from(neu))).toBe(true);
  expect(uncut.programming.checkMemory(signature)).toBe(true);
  uncut.memory.close();

  it('the update writes state, record and several segments (the cut points below are all of them)', () => {
    expect(writes).toBeGreaterThan(10);
  });

  const cuts = Array.from({ length: writes }, (_, i) => i + 1);
  it.each(cuts)('cut at write %i: old image booting, or the new image resumed in the bootloader', async (cutAt) => {
    const dir = join(root, `cut-${cutAt}`);
    cpSync(pristine, dir, { recursive: true });
    const first = open(dir, cutAtWrite(cutAt));
    await expect(download(first.programming, patch)).rejects.toBeInstanceOf(PowerLostError);
    first.memory.close();
    // Every other cut also interrupts the resume at its second write.
    const { memory, boot } = await powerOn(dir, cutAt % 2 === 0 ? 2 : 0);
    const content = Buffer.from(memory.bank('A').readRegion(0));
    if (boot.mode === 'application') {
      expect(boot.imageDigest).toEqual(sha256(old));
    } else {
      expect([sha256(old), sha256(neu)]).toContainEqual(sha256(content));
      if (content.equals(Buffer.from(neu))) expect(memory.verifySignature('A', 0, signature)).toBe(true);
    }
    expect(memory.inPlace.load()).toBeNull();
    memory.close();
  });
});

describe('in-place update refused before anything changes', () => {
  it('a patch made for another base: 0x72 at 37, the old image still signed and booting', async () => {
    const dir = join(root, 'other-base');
    cpSync(pristine, dir, { recursive: true });
    const { memory, programming } = open(dir, new PowerSupply());
    const old = memory.bank('A').readRegion(0);
    const other = Uint8Array.from(old);
    other[100] = other[100]! ^ 0xff;
    const patch = encodeInPlace(other, newImage(old), { segmentSize: SEGMENT, quality: 5 });
    const refused = await download(programming, patch).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(NegativeResponse);
    expect((refused as NegativeResponse).nrc).toBe(NRC.generalProgrammingFailure);
    expect(memory.bank('A').readRegion(0)).toEqual(old);
    expect(memory.inPlace.load()).toBeNull();
    expect(secureBoot(memory, 3).mode).toBe('application');
    memory.close();
  });

  it('a download of part of a region with the in-place method: 0x31 at RequestDownload', () => {
    const { memory, programming } = open(pristine, new PowerSupply());
    const half = { address: region.address, size: region.size / 2 };
    let nrc: number | null = null;
    try {
      programming.requestDownload(half, IN_PLACE_ID << 4);
    } catch (err) {
      nrc = err instanceof NegativeResponse ? err.nrc : null;
    }
    expect(nrc).toBe(NRC.requestOutOfRange);
    memory.close();
  });
});
