// A real Mosquitto started by a test on a free port (with persistence in its own directory when
// asked), which the test can stop and start again: for broker restarts, which the shared broker of
// the machine must never undergo.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

export const MOSQUITTO_BINARY = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) =>
  existsSync(p),
);

/** The binary, or an error saying how to get it (tests that need a restartable broker fail without it). */
export function requireMosquitto(why: string): string {
  if (!MOSQUITTO_BINARY)
    throw new Error(`mosquitto is not installed (apt-get install mosquitto): ${why} needs the real broker`);
  return MOSQUITTO_BINARY;
}

/** Resolves when something listens on 127.0.0.1:`port`, or fails with `output()` after ~10 s. */
export async function waitForPort(port: number, output: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mosquitto did not listen on ${port}: ${output()}`);
}

export interface TestMosquitto {
  readonly url: string;
  readonly port: number;
  /** Times the broker was started (1 after startMosquitto). */
  readonly starts: number;
  /** Stops the broker (SIGTERM: it writes its persistence file) and waits for it to exit. */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

export async function startMosquitto(options: {
  persistence: boolean;
  why: string;
  /** Messages queued per client beyond those in flight (default 100,000; a benchmark's whole fleet may need more). */
  maxQueuedMessages?: number;
}): Promise<TestMosquitto> {
  const binary = requireMosquitto(options.why);
  const dir = await mkdtemp(join(tmpdir(), 'mosquitto-'));
  // Started as root, mosquitto drops to its own user: it must be able to write its persistence here.
  await chmod(dir, 0o777);
  const port = await freePort();
  const conf = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `persistence ${options.persistence}`,
    `persistence_location ${dir}/`,
    `max_queued_messages ${options.maxQueuedMessages ?? 100_000}`,
    'max_inflight_messages 100',
    'log_type error',
    'log_type warning',
  ].join('\n');
  await writeFile(join(dir, 'mosquitto.conf'), `${conf}\n`, { mode: 0o644 });
  let child: ChildProcess | undefined;
  let output = '';
  let starts = 0;
  const start = async () => {
    output = '';
    child = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    starts++;
    await waitForPort(port, () => output);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    get starts() {
      return starts;
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
