// The backend as the demo runs it: always the embedded mode (PGlite under the demo's data directory and the
// in-process MQTT broker), whatever DATABASE_URL or MQTT_URL the shell has, so a demo never writes into a
// real database. The HTTP server listens on the requested port, or a free one when that is taken.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../../backend/app.ts';
import { startAuditAnchoringFromEnv } from '../../backend/audit/anchor-from-env.ts';
import { loadBackendConfig } from '../../backend/config.ts';
import type { Db } from '../../backend/db/database.ts';
import { openDatabaseFromEnv } from '../../backend/db/from-env.ts';
import { startDeliveryFromEnv, type DeliveryFromEnv } from '../../backend/delivery/from-env.ts';
import type { TrustedRoots } from './simulated-vehicle.ts';

export interface DemoDatabase {
  readonly db: Db;
  readonly blobDir: string;
  readonly describe: string;
}

/** The backend's settings for the embedded mode, and nothing from the caller's environment but the MQTT port. */
function embeddedEnv(dataDir: string, mqttPort: number): NodeJS.ProcessEnv {
  return { DATA_DIR: dataDir, MQTT_PORT: String(mqttPort) };
}

export async function openDemoDatabase(dataDir: string): Promise<DemoDatabase> {
  const { db, blobDir, describe } = await openDatabaseFromEnv(embeddedEnv(dataDir, 0));
  return { db, blobDir, describe };
}

export interface DemoBackend {
  readonly url: string;
  readonly port: number;
  /** Set when the requested port was taken and a free one was used instead. */
  readonly portTaken: number | null;
  readonly brokerUrl: string;
  roots(vin: string): Promise<TrustedRoots>;
  /**
   * Stops serving HTTP, then delivery (it writes what it buffered) and the broker, and writes the last audit
   * checkpoint. The database stays open.
   */
  stop(): Promise<void>;
}

export async function startDemoBackend(opts: {
  database: DemoDatabase;
  dataDir: string;
  host: string;
  port: number;
  mqttPort: number;
}): Promise<DemoBackend> {
  const { db, blobDir } = opts.database;
  const delivery: DeliveryFromEnv = await startDeliveryFromEnv(db, blobDir, embeddedEnv(opts.dataDir, opts.mqttPort));
  const anchoring = await startAuditAnchoringFromEnv(
    db,
    await loadBackendConfig(embeddedEnv(opts.dataDir, opts.mqttPort)),
  );
  let server: Server;
  let port: number;
  let portTaken: number | null = null;
  const app = createApp({ db, blobDir, keys: delivery.keys, auditCheckpointFile: anchoring.config.checkpointFile });
  try {
    try {
      ({ server, port } = await listen(app.fetch, opts.host, opts.port));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      portTaken = opts.port;
      ({ server, port } = await listen(app.fetch, opts.host, 0));
    }
  } catch (err) {
    await delivery.stop();
    await anchoring.checkpointer.stop();
    throw err;
  }
  const fetchRoot = async (path: string) => {
    const res = await app.request(path);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    portTaken,
    brokerUrl: delivery.brokerUrl,
    async roots(vin) {
      return {
        image: await fetchRoot('/tuf/image/1.root.json'),
        director: await fetchRoot(`/tuf/director/${vin}/1.root.json`),
      };
    },
    async stop() {
      // Open dashboard pages hold server-sent event streams: close them, or close() waits for them.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await delivery.stop();
      // The last audit checkpoint, so everything the demo did is anchored.
      await anchoring.checkpointer.stop();
    },
  };
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, (info: AddressInfo) => {
      server.off('error', reject);
      resolve({ server: server as Server, port: info.port });
    });
    server.once('error', reject);
  });
}
