// A delivery process (delivery-process.ts) started as a child, for tests that SIGKILL backends.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MOSQUITTO_BINARY } from '../../../support/mosquitto.ts';

const script = fileURLToPath(new URL('./delivery-process.ts', import.meta.url));

export interface BackendProcess {
  readonly process: ChildProcess;
  /** Its stdout and stderr so far. */
  output(): string;
  /** SIGKILL, resolved once it exited. */
  kill(): Promise<void>;
}

/** Starts a delivery process and resolves once it is subscribed and dispatching ("delivery ready"). */
export function startBackendProcess(env: {
  dir: string;
  databaseUrl: string;
  mqttUrl: string;
  clientId?: string;
}): Promise<BackendProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      CHAOS_DIR: env.dir,
      CHAOS_DATABASE_URL: env.databaseUrl,
      CHAOS_MQTT_URL: env.mqttUrl,
      ...(env.clientId ? { CHAOS_CLIENT_ID: env.clientId } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const backend: BackendProcess = {
    process: proc,
    output: () => output,
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('delivery ready')) resolve(backend);
    });
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('exit', (code) => reject(new Error(`the delivery process exited (${code}): ${output.slice(-2000)}`)));
  });
}

/** Throws, naming what is missing, unless the backend can run in another process: DATABASE_URL and a mosquitto binary. */
export function requireBackendProcessServices(test: string): void {
  const missing = [
    !process.env.DATABASE_URL && 'DATABASE_URL (a PostgreSQL server: the backend runs in another process)',
    !MOSQUITTO_BINARY && 'a mosquitto binary (apt-get install mosquitto)',
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`${test} needs ${missing.join(' and ')}`);
}
