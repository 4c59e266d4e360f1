// A real Mosquitto started by a test on a free port (with persistence in its own directory when
// asked), which the test can stop and start again: for broker restarts, which the shared broker of
// the machine must never undergo. Mosquitto cannot bind port 0: a port taken meanwhile is retried (net.ts).
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, retryWhilePortTaken, spawnServer } from './net.ts';

export const MOSQUITTO_BINARY = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) =>
  existsSync(p),
);

/** The binary, or an error saying how to get it (tests that need a restartable broker fail without it). */
export function requireMosquitto(why: string): string {
  if (!MOSQUITTO_BINARY)
    throw new Error(`mosquitto is not installed (apt-get install mosquitto): ${why} needs the real broker`);
  return MOSQUITTO_BINARY;
}

export interface TestMosquitto {
  readonly url: string;
  readonly port: number;
  /** The running broker's process id (for its CPU seconds in benchmarks); undefined while stopped. */
  readonly pid: number | undefined;
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
  const conf = (port: number) =>
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${options.persistence}`,
      `persistence_location ${dir}/`,
      `max_queued_messages ${options.maxQueuedMessages ?? 100_000}`,
      'max_inflight_messages 100',
      'log_type error',
      'log_type warning',
    ].join('\n');
  let child: ChildProcess | undefined;
  let starts = 0;
  const startOn = async (port: number) => {
    await writeFile(join(dir, 'mosquitto.conf'), `${conf(port)}\n`, { mode: 0o644 });
    child = await spawnServer(binary, ['-c', join(dir, 'mosquitto.conf')], port);
    starts++;
    return port;
  };
  // Restarts keep the port: the clients under test reconnect to the URL they were given.
  const port = await retryWhilePortTaken(freePort, startOn);
  const start = async () => void (await retryWhilePortTaken(async () => port, startOn));
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.exitCode === null ? child.pid : undefined;
    },
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
