import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../vehicle-gateway/cli/cli-error.ts';
import { formatFlashOutcome, runFlashCommand } from '../../../vehicle-gateway/cli/flash-command.ts';
import { inventoryExitCode, runInventoryCommand } from '../../../vehicle-gateway/cli/inventory-command.ts';
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
    expect(rows.map((r) => (r.status === 'complete' ? [r.ecu, r.softwareVersion, r.activeBank] : null))).toEqual([
      ['ecm', '2.4.1', null],
      ['bcm', '1.9.0', 'B'],
      ['adas', '5.0.3', 'A'],
    ]);
    expect(formatInventoryTable(rows).split('\n')[0]).toMatch(/^ECU\s+serial\s+hardware id\s+version/);
  });

  it('inventory names a refused DID with its NRC, keeps what was read and exits 4 (partial)', async () => {
    // adas refuses its 5th ReadDataByIdentifier (F1A0, the image hash); ecm is off.
    sim = await startSimVehicle({ faults: ['adas/nrc:0x22@readDid#5'] });
    sim.vehicle.ecu('ecm').powerLoss();
    const f = await files(sim);
    const rows = await runInventoryCommand({ vehicle: f.vehicle }, sim.openTransport);
    expect(rows.map((r) => [r.ecu, r.status])).toEqual([
      ['ecm', 'unreachable'],
      ['bcm', 'complete'],
      ['adas', 'incomplete'],
    ]);
    const adas = rows[2]!;
    if (adas.status !== 'incomplete') throw new Error('adas should be incomplete');
    expect(adas.failures).toEqual([
      { did: 0xf1a0, didName: 'activeImageSha256', nrc: 0x22, error: 'conditionsNotCorrect (0x22)' },
    ]);
    // Everything else was still read.
    expect(adas.read).toMatchObject({
      vin: sim.definition.vin,
      serialNumber: 'ADAS000000001',
      softwareVersion: '5.0.3',
      activeBank: 'A',
    });
    expect(adas.read.bootSoftwareId).toBeTruthy();
    expect(adas.read.sha256).toBeUndefined();
    const table = formatInventoryTable(rows).split('\n');
    expect(table[1]).toMatch(/^ecm .* unreachable: no response to service 0x22/);
    expect(table[3]).toMatch(/^adas\s+ADAS000000001\s+ADAS-HW-\S+\s+5\.0\.3\s+A\s/);
    expect(table[3]).toContain('not read: F1A0 activeImageSha256: conditionsNotCorrect (0x22)');
    expect(inventoryExitCode(rows)).toBe(EXIT.partial);
    expect(inventoryExitCode(rows.slice(1, 2))).toBe(EXIT.ok);
    expect(inventoryExitCode(rows.slice(0, 1))).toBe(EXIT.unreachable);
  });

  it('inventory waits the P2 margin it is given: a late ECU is read with 2 s, unreachable with the default', async () => {
    sim = await startSimVehicle({ faults: ['adas/delay:700@readDid'] });
    const f = await files(sim);
    const patient = await runInventoryCommand({ vehicle: f.vehicle, timingMarginMs: 2000 }, sim.openTransport);
    expect(patient.map((r) => r.status)).toEqual(['complete', 'complete', 'complete']);
    const strict = await runInventoryCommand({ vehicle: f.vehicle }, sim.openTransport);
    expect(strict.map((r) => r.status)).toEqual(['complete', 'complete', 'unreachable']);
  });

  it('inventory --help lists the exit codes', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      ...nodeArgsFor('vehicle-gateway/cli.ts'),
      'inventory',
      '--help',
    ]);
    expect(stdout).toContain('3  CAN interface or ECU unreachable (inventory: no ECU answered at all)');
    expect(stdout).toContain('4  inventory only: partial result');
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
