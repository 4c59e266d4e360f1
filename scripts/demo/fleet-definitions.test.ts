import { describe, expect, it } from 'vitest';
import { parseVehicleDefinition } from '../../ecu-sim/index.ts';
import { sha256Hex } from '@ota/protocol';
import { demoVehicle, demoVin, loadTemplate } from './fleet-definitions.ts';
import { bumpPatch, releaseImage, runningImage } from './images.ts';

describe('the demo fleet', () => {
  const template = loadTemplate('small');

  it('gives every vehicle a valid VIN and ECU serials no other vehicle has', () => {
    const vehicles = Array.from({ length: 20 }, (_, i) => demoVehicle(template, i, `vcan${i}`));
    for (const v of vehicles) expect(() => parseVehicleDefinition(JSON.parse(JSON.stringify(v)), v.vin)).not.toThrow();
    expect(new Set(vehicles.map((v) => v.vin)).size).toBe(20);
    const serials = vehicles.flatMap((v) => v.ecus.map((e) => e.identification.serialNumber));
    expect(new Set(serials).size).toBe(serials.length);
    expect(vehicles[3]?.ecus.every((e) => e.can.interface === 'vcan3')).toBe(true);
    expect(demoVin(0)).toBe('WVSAMPLED00000001');
  });

  it('builds the fix as a small change of the running image with the new version', () => {
    const bcm = template.definition.ecus.find((e) => e.name === 'bcm')!;
    const before = runningImage(bcm);
    const after = releaseImage(bcm, bumpPatch(bcm.simulation.softwareVersion));
    expect(after.length).toBe(before.length);
    expect(sha256Hex(after)).not.toBe(sha256Hex(before));
    const changed = after.reduce((n, b, i) => n + (b === before[i] ? 0 : 1), 0);
    expect(changed).toBeLessThan(256);
    expect(Buffer.from(after.subarray(0, 64)).toString('latin1')).toContain('1.7.1');
  });

  it('refuses a version it cannot bump', () => {
    expect(bumpPatch('5.0.3')).toBe('5.0.4');
    expect(() => bumpPatch('5.0')).toThrow(/MAJOR.MINOR.PATCH/);
  });
});
