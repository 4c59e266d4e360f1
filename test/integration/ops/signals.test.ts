// SIGINT or SIGTERM to the process the README tells users to start (`npm start`, `npm run backend`) stops
// everything it started: npm exits, nothing is left listening on the ports and no process of its group is
// left. `npm run ecu-sim` and `npm run gateway` need CAN: test/vcan/ops/signals.test.ts. Real PostgreSQL and
// Mosquitto for the backend when DATABASE_URL / MQTT_URL are set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDevKeySet } from '../../../backend/keys/generate.ts';
import { createEmptyDatabase } from '../../support/db.ts';
import { expectNoOrphan, expectPortFreed, listening, npmRun, waitForOutput } from '../../support/npm-run.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function backendEnv(): Promise<NodeJS.ProcessEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ota-signals-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // Keys as `ota-keys init-keys` provisions them (TUF roles, code signing): only the embedded mode makes its own.
  const keysDir = join(dataDir, 'keys');
  await ensureDevKeySet(keysDir);
  // PORT=0: the OS chooses and the backend names it; a port picked beforehand may be taken meanwhile.
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: dataDir, KEYS_DIR: keysDir };
  if (process.env.DATABASE_URL) {
    const database = await createEmptyDatabase(process.env.DATABASE_URL);
    cleanups.push(() => database.drop());
    env.DATABASE_URL = database.url;
  }
  return env;
}

describe('signals through npm', () => {
  it.for(['SIGTERM', 'SIGINT'] as const)(
    '%s to `npm run backend` stops the backend and frees its port',
    { timeout: 240_000 },
    async (signal) => {
      const run = npmRun('backend', [], await backendEnv());
      cleanups.push(run.killGroup);
      const port = Number((await waitForOutput(run, /backend listening on http:\/\/localhost:(\d+)/, 180_000))[1]);
      expect(await listening(port)).toBe(true);
      process.kill(run.child.pid!, signal);
      expect(await run.exited).toBe(0);
      await expectPortFreed(port, run.output());
      await expectNoOrphan(run);
    },
  );

  it('SIGTERM to `npm start` stops the demo and frees the HTTP and MQTT ports', { timeout: 300_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ota-signals-demo-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { ...process.env };
    delete env.DATABASE_URL; // the demo is always embedded; keep it from even looking
    delete env.MQTT_URL;
    // Ports 0: the OS chooses and the demo names them (ports picked beforehand may be taken meanwhile).
    const args = ['--data-dir', dataDir, '--port', '0', '--mqtt-port', '0'];
    const run = npmRun('start', [...args, '--vehicles', '1', '--small', '--can', 'memory'], env);
    cleanups.push(run.killGroup);
    const port = Number((await waitForOutput(run, /^ready: http:\/\/[^/]+:(\d+)\//m, 240_000))[1]);
    const mqttPort = Number((await waitForOutput(run, /in-process broker at mqtt:\/\/[^/]+:(\d+)/, 10_000))[1]);
    expect([await listening(port), await listening(mqttPort)]).toEqual([true, true]);
    process.kill(run.child.pid!, 'SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/^stopped in /m);
    await expectPortFreed(port, run.output());
    await expectPortFreed(mqttPort, run.output());
    await expectNoOrphan(run);
  });
});
