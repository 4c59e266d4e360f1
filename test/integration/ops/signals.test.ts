// SIGINT or SIGTERM to the process the README tells users to start (`npm start`, `npm run backend`) stops
// everything it started: npm exits, and nothing is left listening on the ports. Real PostgreSQL and
// Mosquitto for the backend when DATABASE_URL / MQTT_URL are set.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDevKeySet } from '../../../backend/keys/generate.ts';
import { createEmptyDatabase } from '../../support/db.ts';
import { freePort } from '../../support/net.ts';
import { REPO_ROOT } from '../../support/programs.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface NpmRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm run <script> -- args` in its own process group (so the test can clear up whatever a failure leaves). */
function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): NpmRun {
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // an orphan the test failed on
    } catch {
      // the group is gone, as it should be
    }
  });
  return { child, output: () => output, exited };
}

async function waitForOutput(run: NpmRun, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null) throw new Error(`exited before printing ${pattern}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until nothing listens on `port`; fails naming the port when something still does. */
async function expectPortFreed(port: number, output: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await listening(port)) {
    if (Date.now() > deadline) throw new Error(`something still listens on port ${port} after the stop:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function backendEnv(): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ota-signals-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // Keys as `ota-keys init-keys` provisions them (TUF roles, code signing): only the embedded mode makes its own.
  const keysDir = join(dataDir, 'keys');
  await ensureDevKeySet(keysDir);
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, KEYS_DIR: keysDir };
  if (process.env.DATABASE_URL) {
    const database = await createEmptyDatabase(process.env.DATABASE_URL);
    cleanups.push(() => database.drop());
    env.DATABASE_URL = database.url;
  }
  return { env, port };
}

describe('signals through npm', () => {
  it.for(['SIGTERM', 'SIGINT'] as const)(
    '%s to `npm run backend` stops the backend and frees its port',
    { timeout: 240_000 },
    async (signal) => {
      const { env, port } = await backendEnv();
      const run = npmRun('backend', [], env);
      await waitForOutput(run, /backend listening on/, 180_000);
      expect(await listening(port)).toBe(true);
      process.kill(run.child.pid!, signal);
      expect(await run.exited).toBe(0);
      await expectPortFreed(port, run.output());
    },
  );

  it('SIGTERM to `npm start` stops the demo and frees the HTTP and MQTT ports', { timeout: 300_000 }, async () => {
    const [port, mqttPort] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'ota-signals-demo-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { ...process.env };
    delete env.DATABASE_URL; // the demo is always embedded; keep it from even looking
    delete env.MQTT_URL;
    const args = ['--data-dir', dataDir, '--port', String(port), '--mqtt-port', String(mqttPort)];
    const run = npmRun('start', [...args, '--vehicles', '1', '--small', '--can', 'memory'], env);
    await waitForOutput(run, /^ready: http/m, 240_000);
    process.kill(run.child.pid!, 'SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/^stopped in /m);
    await expectPortFreed(port, run.output());
    await expectPortFreed(mqttPort, run.output());
  });
});
