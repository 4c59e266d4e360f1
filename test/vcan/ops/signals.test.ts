// SIGINT or SIGTERM to `npm run ecu-sim` and `npm run gateway -- run` (the programs the README tells users to
// start that need CAN) stops everything they started: npm exits 0, the simulator's control socket no longer
// answers, and no process of npm's group is left. The gateway talks to the broker of MQTT_URL
// (scripts/with-vcan --services).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedFromLabel } from '@ota/protocol/keys';
import { testRepository } from '@ota/protocol/testing';
import { expectNoOrphan, expectPortFreed, listening, npmRun, waitForOutput } from '../../support/npm-run.ts';
import { REPO_ROOT } from '../../support/programs.ts';

const VEHICLE = join(REPO_ROOT, 'ecu-sim/vehicles/small.json');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ota-vcan-signals-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A connected-mode configuration for the small vehicle on vcan0: provisioned test roots, key and secrets. */
function gatewayConfig(dir: string, brokerUrl: string): string {
  const vehicle = JSON.parse(readFileSync(VEHICLE, 'utf8')) as {
    vin: string;
    ecus: { name: string; simulation: { securitySecret: string } }[];
  };
  writeFileSync(join(dir, 'image-root.json'), testRepository('image').root);
  writeFileSync(join(dir, 'director-root.json'), testRepository('director').root);
  writeFileSync(join(dir, 'vehicle.key'), Buffer.from(seedFromLabel('signals test vehicle')).toString('hex'));
  writeFileSync(
    join(dir, 'secrets.json'),
    JSON.stringify(Object.fromEntries(vehicle.ecus.map((e) => [e.name, e.simulation.securitySecret]))),
  );
  const file = join(dir, 'gateway.json');
  writeFileSync(
    file,
    JSON.stringify({
      vin: vehicle.vin,
      broker: { url: brokerUrl, clientId: `signals-${Math.random().toString(36).slice(2, 10)}` },
      trustedRoots: { image: 'image-root.json', director: 'director-root.json' },
      vehicleKeyFile: 'vehicle.key',
      stateDir: 'state',
      vehicleFile: VEHICLE,
      secretsFile: 'secrets.json',
      canInterface: 'vcan0',
    }),
  );
  return file;
}

describe('signals through npm, on vcan', () => {
  it.for(['SIGTERM', 'SIGINT'] as const)('%s to `npm run ecu-sim` stops every simulated ECU', async (signal) => {
    const dir = tempDir();
    const control = join(dir, 'control.sock');
    const run = npmRun(
      'ecu-sim',
      ['--vehicle', VEHICLE, '--state', join(dir, 'ecus'), '--can', 'vcan0', '--control', control],
      process.env,
    );
    cleanups.push(run.killGroup);
    await waitForOutput(run, /^control channel on /m, 240_000);
    expect(await listening(control)).toBe(true);
    process.kill(run.child.pid!, signal);
    expect(await run.exited).toBe(0);
    await expectPortFreed(control, run.output());
    await expectNoOrphan(run);
  });

  it.for(['SIGTERM', 'SIGINT'] as const)('%s to `npm run gateway -- run` stops the gateway', async (signal) => {
    const brokerUrl = process.env.MQTT_URL;
    if (!brokerUrl) throw new Error('MQTT_URL is not set: run this file through scripts/with-vcan --services');
    const run = npmRun('gateway', ['run', '--config', gatewayConfig(tempDir(), brokerUrl)], process.env);
    cleanups.push(run.killGroup);
    await waitForOutput(run, /connected to mqtt/, 240_000);
    process.kill(run.child.pid!, signal);
    expect(await run.exited).toBe(0);
    await expectNoOrphan(run);
  });
});
