// The images of the demo: what each ECU runs when the simulator first provisions it (ecu-sim's deterministic
// generated image) and the fixed release, built the way a security fix is: the same image with a new version
// in its info block and one changed run of bytes, so the backend's delta package is small. Signed with the
// TEST code-signing key of the template vehicle (ecu-sim/vehicles/keys/, public knowledge: demos only).
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeInfoBlock, generateImage, type EcuDefinition } from '../../ecu-sim/index.ts';
import type { DemoTemplate } from './fleet-definitions.ts';
import { signRegion } from '@ota/uds';

/** The TEST-ONLY code-signing key the template vehicle's ECUs trust. */
export function testSigningSeedHex(template: DemoTemplate): string {
  const file = resolve(template.baseDir, template.definition.simulation.testSigningKeyFile);
  return readFileSync(file, 'utf8').trim();
}

function regionsOf(ecu: EcuDefinition, version: string): Uint8Array[] {
  return ecu.flash.regions.map((r, regionIndex) =>
    generateImage({ hardwareId: ecu.identification.hardwareId, softwareVersion: version, regionIndex, size: r.size }),
  );
}

/** The image the simulator provisions the ECU with (its regions back to back). */
export function runningImage(ecu: EcuDefinition): Uint8Array {
  if (ecu.simulation.initialImages) throw new Error(`${ecu.name}: the demo needs generated initial images`);
  return new Uint8Array(Buffer.concat(regionsOf(ecu, ecu.simulation.softwareVersion)));
}

/** The fixed release of `ecu`: its running image with `version` in the info block and one patched run. */
export function releaseImage(ecu: EcuDefinition, version: string): Uint8Array {
  const out = runningImage(ecu);
  out.set(encodeInfoBlock({ hardwareId: ecu.identification.hardwareId, softwareVersion: version }), 0);
  const patch = Buffer.from(`demo security fix ${version}: bounds check added`.padEnd(128, '.'), 'latin1');
  const at = Math.floor(out.length / 3);
  out.set(patch.subarray(0, Math.min(patch.length, out.length - at)), at);
  return out;
}

/** One Ed25519 signature per flash region, over the region's SHA-256 (what the ECU's checkMemory verifies). */
export function regionSignatures(key: KeyObject, ecu: EcuDefinition, image: Uint8Array): Uint8Array[] {
  let offset = 0;
  return ecu.flash.regions.map((r) => {
    const region = image.subarray(offset, offset + r.size);
    offset += r.size;
    return signRegion(key, region);
  });
}

/** 1.7.0 -> 1.7.1: the patch level of the fix. */
export function bumpPatch(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`cannot bump version "${version}": not MAJOR.MINOR.PATCH`);
  return `${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}
