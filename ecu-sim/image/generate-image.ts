// Deterministic application images for the simulator and its tests: an info block followed by bytes derived
// from SHA-256 in counter mode, so the same (hardware id, version, region) always gives the same image.
import { createHash } from 'node:crypto';
import { encodeInfoBlock, INFO_BLOCK_LENGTH } from './app-info-block.ts';

export interface GeneratedImageSpec {
  hardwareId: string;
  softwareVersion: string;
  /** Index of the flash region; only region 0 carries the info block. */
  regionIndex: number;
  size: number;
}

export function generateImage(spec: GeneratedImageSpec): Uint8Array {
  const out = new Uint8Array(spec.size);
  const label = `${spec.hardwareId}/${spec.softwareVersion}/${spec.regionIndex}/`;
  for (let offset = 0, counter = 0; offset < spec.size; offset += 32, counter++) {
    const block = createHash('sha256').update(label).update(String(counter)).digest();
    out.set(block.subarray(0, Math.min(32, spec.size - offset)), offset);
  }
  if (spec.regionIndex === 0 && spec.size >= INFO_BLOCK_LENGTH) {
    out.set(encodeInfoBlock({ hardwareId: spec.hardwareId, softwareVersion: spec.softwareVersion }), 0);
  }
  return out;
}
