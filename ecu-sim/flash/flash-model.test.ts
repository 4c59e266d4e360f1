import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testSigningKeyHex, testVehicle, VEHICLES_DIR } from '../testing/test-vehicle.ts';
import { FlashAddressError, FlashBank, NotErasedError } from './flash-bank.ts';
import { PowerLostError, PowerSupply } from './power.ts';
import { bankFileName, provisionEcuIfAbsent } from './provision.ts';
import { encodeInfoBlock } from '../image/app-info-block.ts';
import { StateStore } from './state-store.ts';
import { privateKeyFromHex, publicKeyFromHex, sha256, verifyDigest } from '@ota/uds';

function provisioned(name: string): { dir: string; def: ReturnType<typeof testVehicle>['ecus'][number] } {
  const def = testVehicle().ecus.find((e) => e.name === name)!;
  const dir = mkdtempSync(join(tmpdir(), 'ecu-sim-flash-model-'));
  expect(provisionEcuIfAbsent(def, dir, VEHICLES_DIR, privateKeyFromHex(testSigningKeyHex()))).toBe(true);
  return { dir, def };
}

describe('provisioning', () => {
  it('creates signed, deterministic initial images once', () => {
    const a = provisioned('bcm');
    const b = provisioned('bcm');
    const bankA = readFileSync(join(a.dir, bankFileName('A')));
    expect(bankA).toEqual(readFileSync(join(b.dir, bankFileName('A'))));
    expect(readFileSync(join(a.dir, bankFileName('B'))).every((x) => x === 0xff)).toBe(true);
    const state = new StateStore(a.dir, new PowerSupply()).load();
    const signature = Buffer.from(state.signatures.A[0]!, 'hex');
    expect(verifyDigest(publicKeyFromHex(a.def.codeSigningPublicKey), sha256(bankA), signature)).toBe(true);
    expect(provisionEcuIfAbsent(a.def, a.dir, VEHICLES_DIR, privateKeyFromHex(testSigningKeyHex()))).toBe(false);
  });

  it('takes initial images from files (padded with erased bytes) and refuses one larger than its region', () => {
    const def = testVehicle().ecus.find((e) => e.name === 'ecm')!;
    const dir = mkdtempSync(join(tmpdir(), 'ecu-sim-initial-'));
    const image = Buffer.concat([
      encodeInfoBlock({ softwareVersion: '0.9.0', hardwareId: 'ECM-HW-0400' }),
      Buffer.alloc(100, 7),
    ]);
    writeFileSync(join(dir, 'ecm.bin'), image);
    def.simulation.initialImages = ['ecm.bin'];
    provisionEcuIfAbsent(def, join(dir, 'state'), dir, privateKeyFromHex(testSigningKeyHex()));
    const bank = readFileSync(join(dir, 'state', bankFileName('A')));
    expect(bank.subarray(0, image.length)).toEqual(image);
    expect(bank.subarray(image.length).every((b) => b === 0xff)).toBe(true);
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(def.flash.regions[0]!.size + 1));
    def.simulation.initialImages = ['big.bin'];
    expect(() => provisionEcuIfAbsent(def, join(dir, 'state2'), dir, privateKeyFromHex(testSigningKeyHex()))).toThrow(
      /exceeds region 0/,
    );
  });

  it('refuses a corrupt state file with a clear error', () => {
    const { dir } = provisioned('ecm');
    writeFileSync(join(dir, 'state.json'), '{"format":2}');
    expect(() => new StateStore(dir, new PowerSupply()).load()).toThrow(/state\.json is not a valid ECU state/);
  });
});

describe('FlashBank', () => {
  it('programs only erased bytes, erases whole sectors, and persists to the file', async () => {
    const { dir, def } = provisioned('ecm');
    const power = new PowerSupply();
    const bank = new FlashBank(join(dir, bankFileName('A')), def.flash, power);
    const { address } = def.flash.regions[0]!;
    const sector = def.flash.sectorSize;
    await expect(bank.program(address, Uint8Array.of(1))).rejects.toThrow(NotErasedError);
    await bank.eraseSector(address + sector);
    expect(bank.isErased(address + sector, sector)).toBe(true);
    await bank.program(address + sector, Uint8Array.of(1, 2, 3));
    await expect(bank.program(address + sector + 2, Uint8Array.of(9))).rejects.toThrow(NotErasedError);
    await expect(bank.eraseSector(address + 1)).rejects.toThrow(FlashAddressError);
    expect(() => bank.read(address - 1, 2)).toThrow(FlashAddressError);
    const file = readFileSync(join(dir, bankFileName('A')));
    expect([...file.subarray(sector, sector + 4)]).toEqual([1, 2, 3, 0xff]);
    power.cut();
    await expect(bank.eraseSector(address)).rejects.toThrow(PowerLostError);
    expect(readFileSync(join(dir, bankFileName('A')))).toEqual(file);
    bank.close();
  });
});
