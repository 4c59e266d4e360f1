// Backends as child processes on one PostgreSQL and one Mosquitto, for the tests that SIGKILL them (chaos,
// two instances) and the fleet benchmark that measures them: the delivery side alone (delivery-process.ts,
// with the tests' short ticks) or the real program (`backend serve`: API and delivery, configured by env).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from '../../../../backend/db/database.ts';
import { startMosquitto, MOSQUITTO_BINARY } from '../../../support/mosquitto.ts';
import type { TestMosquitto } from '../../../support/mosquitto.ts';
import { nodeArgsFor } from '../../../support/programs.ts';
import { startHarness } from '../harness.ts';
import { waitFor } from '../../../support/wait-for.ts';
import type { DeliveryHarness } from '../harness.ts';

const deliveryScript = fileURLToPath(new URL('./delivery-process.ts', import.meta.url));
/** Output kept per process: the tail, so a long run's logs do not grow without bound. */
const KEPT_OUTPUT = 64 * 1024;

export interface BackendProcess {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The tail of its stdout and stderr so far. */
  output(): string;
  /** SIGKILL, resolved once it exited. */
  kill(): Promise<void>;
}

/** Spawns node with `args` and resolves once `ready` holds (checked on each output and every 200 ms). */
function spawnBackend(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (output: string) => boolean | Promise<boolean>,
): Promise<BackendProcess> {
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (d: Buffer) => (output = (output + d.toString()).slice(-KEPT_OUTPUT));
  const backend: BackendProcess = {
    process: proc,
    pid: proc.pid!,
    output: () => output,
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const check = async () => {
      if (settled || !(await ready(output))) return;
      settled = true;
      clearInterval(poll);
      resolve(backend);
    };
    const poll = setInterval(() => void check(), 200);
    proc.stdout!.on('data', (d: Buffer) => (append(d), void check()));
    proc.stderr!.on('data', append);
    proc.once('exit', (code) => {
      clearInterval(poll);
      if (!settled) reject(new Error(`the backend process exited (${code}): ${output.slice(-2000)}`));
    });
  });
}

/** Starts a delivery process and resolves once it is subscribed and dispatching ("delivery ready"). */
export function startBackendProcess(env: {
  dir: string;
  databaseUrl: string;
  mqttUrl: string;
  clientId?: string;
}): Promise<BackendProcess> {
  return spawnBackend(
    ['--import', 'tsx', deliveryScript],
    {
      ...process.env,
      CHAOS_DIR: env.dir,
      CHAOS_DATABASE_URL: env.databaseUrl,
      CHAOS_MQTT_URL: env.mqttUrl,
      ...(env.clientId ? { CHAOS_CLIENT_ID: env.clientId } : {}),
    },
    (output) => output.includes('delivery ready'),
  );
}

/**
 * The real program, `backend serve`, with `env` (the backend's variables: DATABASE_URL, MQTT_URL,
 * KEYS_DIR, DELIVERY_CLIENT_ID, ...) and PORT=0: it binds a port the OS chooses and names it (a port
 * picked beforehand may be taken meanwhile) on a line written whatever LOG_LEVEL is. Resolves once GET
 * /readyz answers 200 (database and broker).
 */
export async function startBackendProgram(
  env: Record<string, string>,
): Promise<BackendProcess & { readonly baseUrl: string }> {
  let baseUrl = '';
  const backend = await spawnBackend(
    [...nodeArgsFor('backend/main.ts'), 'serve'],
    { ...process.env, ...env, PORT: '0' },
    (output) => {
      const port = /backend listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (!port) return false;
      baseUrl = `http://127.0.0.1:${port}`;
      return fetch(`${baseUrl}/readyz`).then(
        (res) => res.ok,
        () => false,
      );
    },
  );
  return Object.assign(backend, { baseUrl });
}

/** Throws, naming what is missing, unless the backend can run in another process: DATABASE_URL and a mosquitto binary. */
export function requireBackendProcessServices(test: string): void {
  const missing = [
    !process.env.DATABASE_URL && 'DATABASE_URL (a PostgreSQL server: the backend runs in another process)',
    !MOSQUITTO_BINARY && 'a mosquitto binary (apt-get install mosquitto)',
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`${test} needs ${missing.join(' and ')}`);
}

export interface ProcessHarness {
  readonly h: DeliveryHarness;
  /** A Mosquitto of the test's own (with persistence), which it may restart. */
  readonly broker: TestMosquitto;
  close(): Promise<void>;
}

/** What a test of backend processes starts with: services checked, harness, its own persistent Mosquitto. */
export async function startProcessHarness(test: string): Promise<ProcessHarness> {
  requireBackendProcessServices(test);
  const h = await startHarness();
  const broker = await startMosquitto({ persistence: true, why: test }).catch(async (error: unknown) => {
    await h.close();
    throw error;
  });
  return {
    h,
    broker,
    async close() {
      await broker.close();
      await h.close();
    },
  };
}

/**
 * Resolves once the campaign is `completed`, else fails after `timeoutMs` naming its state, its
 * vehicles per state and `detail()` (the backends' output, the fleet's errors).
 */
export async function campaignCompleted(
  db: Db,
  campaignId: number,
  timeoutMs: number,
  detail: () => string,
): Promise<void> {
  const state = async () =>
    (await db.selectFrom('campaigns').select('state').where('id', '=', campaignId).executeTakeFirstOrThrow()).state;
  await waitFor('the campaign to complete', async () => (await state()) === 'completed', timeoutMs).catch(
    async (error: unknown) => {
      const rows = await sql<{ state: string; n: number }>`
        SELECT state, count(*)::int AS n FROM campaign_vehicles WHERE campaign_id = ${campaignId} GROUP BY state`.execute(
        db,
      );
      throw new Error(
        `${(error as Error).message}: campaign ${await state()}, vehicles ${JSON.stringify(rows.rows)}\n${detail()}`,
      );
    },
  );
}
