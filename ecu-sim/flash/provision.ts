// Creates an ECU's state directory the first time it starts: bank A holds the initial image of every region
// (from the files the definition names, or generated deterministically), signed with the TEST code-signing key;
// bank B (dual-bank only) is erased, or holds the same bytes unsigned (simulation.inactiveBank). state.json is written last, so its presence means "provisioned".
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { generateImage } from '../image/generate-image.ts';
import type { EcuDefinition } from '../vehicle/schema.ts';
import { initialEcuState, type BankName } from './ecu-state.ts';
import { bankSize, ERASED_BYTE } from './flash-bank.ts';
import { STATE_FILE, writeFileAtomic } from './state-store.ts';
import { signRegion } from '@ota/uds';

export function bankFileName(bank: BankName): string {
  return `bank-${bank}.bin`;
}

/** The initial content of each region, padded with erased bytes. */
export function initialRegionImages(ecu: EcuDefinition, baseDir: string): Uint8Array[] {
  return ecu.flash.regions.map((region, regionIndex) => {
    const path = ecu.simulation.initialImages?.[regionIndex];
    if (path === undefined) {
      return generateImage({
        hardwareId: ecu.identification.hardwareId,
        softwareVersion: ecu.simulation.softwareVersion,
        regionIndex,
        size: region.size,
      });
    }
    const file = resolve(baseDir, path);
    const image = new Uint8Array(readFileSync(file));
    if (image.length > region.size) {
      throw new Error(`${ecu.name}: initial image ${file} (${image.length} bytes) exceeds region ${regionIndex}`);
    }
    const padded = new Uint8Array(region.size).fill(ERASED_BYTE);
    padded.set(image);
    return padded;
  });
}

/** Provisions `ecuDir` unless it already holds a state; returns true when it did. */
export function provisionEcuIfAbsent(
  ecu: EcuDefinition,
  ecuDir: string,
  baseDir: string,
  signingKey: KeyObject,
): boolean {
  if (existsSync(join(ecuDir, STATE_FILE))) return false;
  mkdirSync(ecuDir, { recursive: true });
  const images = initialRegionImages(ecu, baseDir);
  const bankA = new Uint8Array(bankSize(ecu.flash));
  let offset = 0;
  for (const image of images) {
    bankA.set(image, offset);
    offset += image.length;
  }
  writeFileAtomic(ecuDir, bankFileName('A'), bankA);
  if (ecu.flash.banks === 'dual') {
    const bankB =
      ecu.simulation.inactiveBank === 'initialImage' ? bankA : new Uint8Array(bankA.length).fill(ERASED_BYTE);
    writeFileAtomic(ecuDir, bankFileName('B'), bankB);
  }
  const signatures = images.map((image) => Buffer.from(signRegion(signingKey, image)).toString('hex'));
  writeFileAtomic(ecuDir, STATE_FILE, `${JSON.stringify(initialEcuState(images.length, signatures), null, 1)}\n`);
  return true;
}
