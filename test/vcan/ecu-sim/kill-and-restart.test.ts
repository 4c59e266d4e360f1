// A real power loss: the simulator process (npm run ecu-sim) is SIGKILLed in the middle of a TransferData
// sequence over vcan0 and started again on the same state directory. The ECU must answer (in its bootloader,
// since the single-bank region was erased) and take a complete flash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSession, openSocketCan, sha256 } from '@ota/uds';
import { generateImage } from '../../../ecu-sim/image/generate-image.ts';
import { testSigningKeyHex, VEHICLES_DIR } from '../../../ecu-sim/testing/test-vehicle.ts';
import { eraseAndOpenDownload, flashEcu, openTester, signImage, type Tester } from '../../../ecu-sim/testing/tester.ts';
import { loadVehicleFile } from '../../../ecu-sim/vehicle/load-vehicle.ts';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../support/loaded-host.ts';
import { nodeArgsFor } from '../../support/programs.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const children: ChildProcess[] = [];
const testers: Tester[] = [];
afterEach(async () => {
  for (const t of testers.splice(0)) await t.close();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A one-ECU copy of small.json (ecm only) whose key path works from a temp directory. */
function vehicleFile(dir: string): string {
  const json = JSON.parse(readFileSync(join(VEHICLES_DIR, 'small.json'), 'utf8')) as {
    ecus: { name: string }[];
    simulation: { testSigningKeyFile: string };
  };
  json.ecus = json.ecus.filter((e) => e.name === 'ecm');
  json.simulation.testSigningKeyFile = join(VEHICLES_DIR, json.simulation.testSigningKeyFile);
  const file = join(dir, 'vehicle.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** Starts the simulator process and resolves once it listens. */
async function startSimulator(vehicle: string, state: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgsFor('ecu-sim/cli.ts'), '--vehicle', vehicle, '--state', state], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/ecm .*(application|bootloader)/.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`ecu-sim exited with ${code}: ${output}`)));
  });
  return child;
}

describe('ecu-sim process killed mid-transfer', () => {
  it('restarts from its state directory in the bootloader and can be flashed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecu-sim-kill-'));
    const vehicle = vehicleFile(dir);
    const state = join(dir, 'state');
    const def = loadVehicleFile(vehicle).definition.ecus[0]!;
    const region = def.flash.regions[0]!;
    const image = generateImage({
      hardwareId: def.identification.hardwareId,
      softwareVersion: '9.0.1',
      regionIndex: 0,
      size: region.size,
    });
    const signature = signImage(testSigningKeyHex(), image);

    const first = await startSimulator(vehicle, state);
    const t1 = openTester(await openSocketCan('vcan0'), def, LOADED_HOST_TIMING_MARGIN_MS);
    testers.push(t1);
    const c = t1.client;
    await c.diagnosticSessionControl(DiagnosticSession.extended);
    await c.diagnosticSessionControl(DiagnosticSession.programming);
    await c.unlock(0x11, Buffer.from(def.simulation.securitySecret, 'hex'));
    const n = await eraseAndOpenDownload(c, region);
    await c.transferData(1, image.subarray(0, n));
    await c.transferData(2, image.subarray(n, 2 * n));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    // The first tester goes with its ECU: left open, its TesterPresent (3E 80 every 2 s, programming session)
    // is a single frame on the same request id, which aborts the second tester's multi-frame TransferData
    // in the ECU's ISO-TP reception (ISO 15765-2), and a 4 KiB block that takes > 2 s under load always met one.
    await t1.close();

    await startSimulator(vehicle, state);
    const t2 = openTester(await openSocketCan('vcan0'), def, LOADED_HOST_TIMING_MARGIN_MS);
    testers.push(t2);
    expect((await t2.client.readDataByIdentifier(0xf1a1))[0]).toBe(0xff); // bootloader: no valid application
    expect(await flashEcu(t2.client, def, image, signature)).toEqual({ checkMemory: 0, dependencies: 0 });
    expect(await t2.client.readDataByIdentifier(0xf1a0)).toEqual(sha256(image));
  });
});
