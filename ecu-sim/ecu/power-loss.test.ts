import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiagnosticSession, sha256 } from '@ota/uds';
import { regionImage, startHarness, type Harness } from '../testing/harness.ts';
import { testSigningKeyHex, testVehicle } from '../testing/test-vehicle.ts';
import { flashEcu, programRegion, signImage } from '../testing/tester.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Where the power goes: a fault spec, or a cut the test makes between two steps. */
const POINTS = [
  { name: 'in the middle of the erase', fault: 'silent-erase:5' },
  { name: 'after the first TransferData block', fault: 'silent:1' },
  { name: 'in the middle of the transfer', fault: 'silent:3' },
  { name: 'after the last block, before checkMemory', fault: 'silent:5' },
  { name: 'after checkMemory, before the reset', fault: null },
] as const;

describe.each(['ecm', 'bcm'])('power loss while flashing %s', (name) => {
  it.each(POINTS)('$name: after the restart it runs a valid image or answers in its bootloader', async (point) => {
    harness = await startHarness();
    const h = harness;
    const ecu = h.vehicle.ecu(name);
    const def = ecu.definition;
    const oldImage = regionImage(h, name, def.simulation.softwareVersion);
    const newImage = regionImage(h, name, '7.0.0');
    const signature = signImage(testSigningKeyHex(), newImage);
    if (point.fault) h.vehicle.applyFault(`${name}/${point.fault}`);
    const oldTester = h.tester(name);
    const { client } = oldTester;
    const flashing = programRegion(client, def, newImage, signature).catch((err: unknown) => err);
    if (point.fault) {
      // The tester would time out (P2* after a 0x78 is 5 s); the test only waits for the ECU to go dark.
      await vi.waitUntil(() => !ecu.powered, { timeout: 10_000, interval: 5 });
    } else {
      expect(await flashing).toEqual({ checkMemory: 0, dependencies: 0 });
    }
    await h.restart(); // a new process on the same state directory
    if (point.fault) {
      await oldTester.close(); // it would wait out P2* (5 s) for the answer that never comes
      expect(await flashing).toBeInstanceOf(Error);
    }

    const after = h.tester(name).client;
    const digest = await after.readDataByIdentifier(0xf1a0);
    const bank = await after.readDataByIdentifier(0xf1a1);
    const restarted = h.vehicle.ecu(name);
    if (restarted.boot.mode === 'application') {
      expect([sha256(oldImage), sha256(newImage)]).toContainEqual(digest);
      expect(bank[0]).not.toBe(0xff);
    } else {
      expect(digest).toEqual(new Uint8Array(32));
      expect(bank[0]).toBe(0xff);
    }
    if (def.flash.banks === 'dual') expect(restarted.boot.mode).toBe('application');

    // and it can always be programmed again
    await after.diagnosticSessionControl(DiagnosticSession.default);
    const again = await flashEcu(after, def, newImage, signature);
    expect(again).toEqual({ checkMemory: 0, dependencies: 0 });
    expect(await after.readDataByIdentifier(0xf1a0)).toEqual(sha256(newImage));
  });
});

describe('power loss while a slow flash write is in flight', () => {
  it('acknowledges nothing after the cut, closes cleanly and can be programmed after the restart', async () => {
    harness = await startHarness({ definition: testVehicle({ regionSize: 4096 }), faults: ['ecm/slow-flash:400'] });
    const h = harness;
    const ecu = h.vehicle.ecu('ecm');
    const def = ecu.definition;
    const newImage = regionImage(h, 'ecm', '7.1.0');
    const signature = signImage(testSigningKeyHex(), newImage);
    const responses: number[][] = [];
    const addressing = def.addressing as { responseId: number };
    h.busOf('ecm')
      .attach('spy')
      .subscribe(null, (frame) => {
        if (frame.id === addressing.responseId) responses.push([...frame.data.subarray(0, 4)]);
      });
    const oldTester = h.tester('ecm');
    const flashing = programRegion(oldTester.client, def, newImage, signature).catch((err: unknown) => err);
    // The first TransferData is being written (its 0x78 went out): cut the power under the write.
    await vi.waitUntil(() => responses.some((r) => r[1] === 0x7f && r[2] === 0x36 && r[3] === 0x78), {
      timeout: 20_000,
      interval: 5,
    });
    const seen = responses.length;
    ecu.powerLoss();
    await h.restart(); // without the fault: the bank file was closed only after the write in flight ended
    expect(responses.slice(seen).filter((r) => r[1] === 0x76)).toEqual([]); // no block acknowledged after the cut
    await oldTester.close(); // it would wait out P2* for the answer that never comes
    expect(await flashing).toBeInstanceOf(Error);

    const after = h.tester('ecm').client;
    expect((await after.readDataByIdentifier(0xf1a1))[0]).toBe(0xff); // erased and half written: bootloader
    expect(await flashEcu(after, def, newImage, signature)).toEqual({ checkMemory: 0, dependencies: 0 });
    expect(await after.readDataByIdentifier(0xf1a0)).toEqual(sha256(newImage));
  });
});
