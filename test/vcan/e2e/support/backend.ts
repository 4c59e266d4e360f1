// The backend's surroundings for one test run: its own database (on the PostgreSQL that scripts/with-vcan
// --services starts; embedded PGlite only on a host kernel with vcan, since it cannot run inside user-mode
// Linux), its keys (a development TUF key set and the TEST ECU
// code-signing key the simulated ECUs trust), and the environment its process runs with.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDevKeySet } from '../../../../backend/keys/generate.ts';
import { testSigningKeyPem } from './fleet.ts';
import type { ManagedProcess, ProcessGroup } from './processes.ts';

export interface BackendSetup {
  /**
   * PORT is 0 (and MQTT_PORT for the in-process broker): the backend binds ports the OS chooses and names
   * them (see `backendListening`).
   */
  readonly env: NodeJS.ProcessEnv;
  readonly describe: string;
  /** Drops the database (call after the backend process has stopped). */
  dispose(): Promise<void>;
}

/** A development key set whose code-signing key is the TEST key of ecu-sim/vehicles/keys. */
async function writeKeys(keysDir: string): Promise<void> {
  await ensureDevKeySet(keysDir);
  const codeSigningDir = join(keysDir, 'code-signing');
  for (const f of await readdir(codeSigningDir)) await rm(join(codeSigningDir, f));
  await writeFile(join(codeSigningDir, 'TEST-ONLY-oem-code-signing.pem'), testSigningKeyPem(), { mode: 0o600 });
}

export async function prepareBackend(dir: string): Promise<BackendSetup> {
  if (!process.env.DATABASE_URL && process.env.WITH_VCAN_MODE === 'uml') {
    // Measured: PGlite's WebAssembly memory exhausts the host's vm.max_map_count under user-mode Linux
    // ("UML ran out of memory on the host side") and the backend is SIGKILLed.
    throw new Error(
      'the end-to-end test needs PostgreSQL inside user-mode Linux (embedded PGlite cannot run there): ' +
        'scripts/with-vcan --vcan 4 --services -- ...',
    );
  }
  const dataDir = join(dir, 'backend');
  const keysDir = join(dataDir, 'keys');
  await mkdir(dataDir, { recursive: true });
  await writeKeys(keysDir);
  // Not a port picked beforehand: between picking and binding, an outgoing connection of any process on
  // the machine may take it as its ephemeral port (seen in CI: EADDRINUSE).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    KEYS_DIR: keysDir,
    DELIVERY_CLIENT_ID: `ota-backend-e2e-${randomBytes(4).toString('hex')}`,
    // A group of its own: the backend of an earlier test on the same broker left its persistent
    // session in the group, and Mosquitto kept handing it a share of the vehicles' messages (CI: the
    // first manifest, or 3 of the first 4 metadata requests, went to a backend that had stopped).
    DELIVERY_SHARED_GROUP: `e2e-${randomBytes(4).toString('hex')}`,
  };
  let dispose = async () => {};
  let describe = 'embedded PGlite';
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `ota_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    describe = `PostgreSQL database ${name}`;
    dispose = async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  if (process.env.MQTT_URL) {
    describe += `, broker ${process.env.MQTT_URL}`;
  } else {
    // The backend's in-process broker, on a port the OS chooses (not one picked beforehand, as for PORT).
    env.MQTT_PORT = '0';
    describe += ', in-process broker';
  }
  return { env, describe, dispose };
}

export interface BackendUrls {
  readonly baseUrl: string;
  /** Where gateways (and the test) reach the broker. */
  readonly brokerUrl: string;
}

/** Resolves with the backend's URL and its broker's once `backend serve` prints them (with the ports bound). */
export async function backendListening(server: ManagedProcess): Promise<BackendUrls> {
  const [, port] = await server.waitForOutput(/backend listening on http:\/\/localhost:(\d+)/, 120_000);
  // The line may be a structured log's field: the URL ends before a quote or backslash.
  const [, brokerUrl] = await server.waitForOutput(/delivery: vehicles connect to (mqtts?:\/\/[^\s"'\\]+)/, 60_000);
  return { baseUrl: `http://127.0.0.1:${port}`, brokerUrl: brokerUrl! };
}

/**
 * The backend as its operator starts it: an admin token from the CLI (which also migrates), then `serve`
 * with MQTT delivery; resolves once it listens and is connected to the broker. Returns the admin token.
 */
export async function startBackendProcess(
  group: ProcessGroup,
  setup: BackendSetup,
  admin: string,
): Promise<BackendUrls & { adminToken: string }> {
  const tokenOutput = await group.run(
    'create-admin-token',
    'backend/main.ts',
    ['create-admin-token', '--name', admin],
    setup.env,
  );
  const adminToken = /\b(ota_\S+)/.exec(tokenOutput)?.[1];
  if (!adminToken) throw new Error(`create-admin-token printed no token: ${tokenOutput}`);
  const server = group.start('backend', 'backend/main.ts', ['serve'], setup.env);
  const urls = await backendListening(server);
  await server.waitForOutput(/delivery: connected to/, 60_000);
  return { adminToken, ...urls };
}
