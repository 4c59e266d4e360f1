import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../../vehicle-gateway/cli/cli-error.ts';
import { formatFlashOutcome, runFlashCommand } from '../../../vehicle-gateway/cli/flash-command.ts';
import { runInventoryCommand } from '../../../vehicle-gateway/cli/inventory-command.ts';
import { formatInventoryTable } from '../../../vehicle-gateway/inventory/read-inventory.ts';
import { nodeArgsFor } from '../../support/programs.ts';
import { startSimVehicle, TEST_SIGNING_KEY_FILE, type SimHarness } from './support/sim-vehicle.ts';

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function files(h: SimHarness) {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-cli-'));
  const vehicle = join(dir, 'vehicle.json');
  await writeFile(vehicle, JSON.stringify(h.definition));
  const { bytes, image } = h.image('bcm', '1.9.0');
  const imageFile = join(dir, 'bcm.bin');
  await writeFile(imageFile, bytes);
  const signature = join(dir, 'bcm.sig');
  await writeFile(signature, Buffer.from(image.regions[0]!.signature).toString('hex'));
  return { dir, vehicle, imageFile, signature };
}

describe('gateway CLI (engineer mode) against ecu-sim', () => {
  it('flashes with a signature file, then the inventory shows the new version on the other bank', async () => {
    sim = await startSimVehicle();
    const f = await files(sim);
    const percents: number[] = [];
    const outcome = await runFlashCommand(
      { vehicle: f.vehicle, ecu: 'bcm', image: f.imageFile, signature: f.signature },
      sim.openTransport,
      (p) => percents.push(p.percent),
    );
    expect(outcome).toMatchObject({ status: 'succeeded', toVersion: '1.9.0', activeBank: 'B' });
    expect(percents.at(-1)).toBe(100);
    expect(formatFlashOutcome(outcome)).toContain('bcm: flashed 1.7.0 -> 1.9.0, bank B');
    const rows = await runInventoryCommand({ vehicle: f.vehicle }, sim.openTransport);
    expect(rows.map((r) => (r.reachable ? [r.ecu, r.softwareVersion, r.activeBank] : null))).toEqual([
      ['ecm', '2.4.1', null],
      ['bcm', '1.9.0', 'B'],
      ['adas', '5.0.3', 'A'],
    ]);
    expect(formatInventoryTable(rows).split('\n')[0]).toMatch(/^ECU\s+serial\s+hardware id\s+version/);
  });

  it('signs with --sign-key and fails cleanly (with the NRC) when the ECU refuses the key', async () => {
    sim = await startSimVehicle({ faults: ['bcm/refuse-keys'] });
    const f = await files(sim);
    const outcome = await runFlashCommand(
      { vehicle: f.vehicle, ecu: 'bcm', image: f.imageFile, signKey: TEST_SIGNING_KEY_FILE },
      sim.openTransport,
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      step: 'securityAccess',
      nrcName: 'invalidKey',
      memoryTouched: false,
    });
    expect(formatFlashOutcome(outcome)).toContain('FAILED at securityAccess with invalidKey (0x35)');
  });

  it('rejects bad input before touching the bus', async () => {
    sim = await startSimVehicle();
    const f = await files(sim);
    const opened: string[] = [];
    const open = async (iface: string) => {
      opened.push(iface);
      return sim!.openTransport(iface);
    };
    await expect(
      runFlashCommand({ vehicle: f.vehicle, ecu: 'nope', image: f.imageFile, signature: f.signature }, open),
    ).rejects.toThrow(/no ECU named "nope"/);
    await expect(
      runFlashCommand({ vehicle: f.vehicle, ecu: 'ecm', image: f.imageFile, signature: f.signature }, open),
    ).rejects.toThrow(/built for hardware BCM-HW-0210, ecm is ECM-HW-0400/);
    const badSignature = join(f.dir, 'bad.sig');
    await writeFile(badSignature, 'ab'.repeat(64));
    await expect(
      runFlashCommand({ vehicle: f.vehicle, ecu: 'bcm', image: f.imageFile, signature: badSignature }, open),
    ).rejects.toThrow(/does not verify/);
    await expect(
      runFlashCommand({ vehicle: f.vehicle, ecu: 'bcm', image: f.vehicle, signature: f.signature }, open),
    ).rejects.toThrow(CliError);
    await expect(runFlashCommand({ vehicle: f.vehicle, ecu: 'bcm', image: f.imageFile }, open)).rejects.toThrow(
      /--signature FILE or --sign-key FILE/,
    );
    expect(opened).toEqual([]);
  });

  it('exits with code 2 and a clear message on a usage error', async () => {
    const run = promisify(execFile)(process.execPath, [
      ...nodeArgsFor('vehicle-gateway/cli.ts'),
      'flash',
      '--vehicle',
      '/nonexistent.json',
      '--ecu',
      'ecm',
      '--image',
      '/x',
      '--sign-key',
      '/y',
    ]);
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('cannot read vehicle file /nonexistent.json'),
    });
  });
});
