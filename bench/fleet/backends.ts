// N instances of the real backend program (`backend serve`) on the bench's database and broker, each its
// own OS process with its own HTTP port and MQTT client id, sharing keys and blobs, started one by one.
import { join } from 'node:path';
import { startBackendProgram } from '../../test/integration/delivery/support/backend-process.ts';
import type { BackendProcess } from '../../test/integration/delivery/support/backend-process.ts';
import { peakRss, procStat } from './proc-stats.ts';

export interface BenchBackend {
  readonly process: BackendProcess;
  readonly baseUrl: string;
}

export async function startBenchBackends(opts: {
  instances: number;
  databaseUrl: string;
  mqttUrl: string;
  dir: string;
  runId: string;
}): Promise<BenchBackend[]> {
  const started: BenchBackend[] = [];
  try {
    for (let k = 0; k < opts.instances; k++) {
      const process = await startBackendProgram({
        DATABASE_URL: opts.databaseUrl,
        MQTT_URL: opts.mqttUrl,
        DATA_DIR: join(opts.dir, `instance-${k}`),
        KEYS_DIR: join(opts.dir, 'keys'),
        BLOB_DIR: join(opts.dir, 'blobs'),
        DELIVERY_CLIENT_ID: `fleet-bench-${opts.runId}-${k}`,
        // Info, as in the figures measured so far; delivery logs a line per batch, not per vehicle.
        LOG_LEVEL: 'info',
      });
      started.push({ process, baseUrl: process.baseUrl });
    }
  } catch (error) {
    await stopBenchBackends(started);
    throw error;
  }
  return started;
}

export async function stopBenchBackends(backends: readonly BenchBackend[]): Promise<void> {
  for (const b of backends) await b.process.kill();
}

/** CPU seconds each instance has used so far (read while it runs). */
export const backendCpuSeconds = (backends: readonly BenchBackend[]): number[] =>
  backends.map((b) => procStat(b.process.pid).cpuSeconds);

/** Peak resident memory of each instance so far, in bytes. */
export const backendPeakRss = (backends: readonly BenchBackend[]): number[] =>
  backends.map((b) => peakRss(b.process.pid));
