import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '../../../backend/blobs/store.ts';
import type { Db } from '../../../backend/db/database.ts';
import type { DeliveryServiceOptions } from '../../../backend/delivery/service.ts';
import { ensureDevKeySet } from '../../../backend/keys/generate.ts';
import { loadKeySet } from '../../../backend/keys/key-set.ts';
import type { KeySet } from '../../../backend/keys/key-set.ts';
import { startEmbeddedBroker } from '../../../backend/mqtt/embedded-broker.ts';
import { createTestDatabase } from '../../support/db.ts';
import type { TestDatabase } from '../../support/db.ts';

export interface DeliveryHarness {
  testDb: TestDatabase;
  db: Db;
  keys: KeySet;
  blobs: BlobStore;
  brokerUrl: string;
  /** 'external' (Mosquitto) when a broker URL or MQTT_URL is given (CI), else the in-process aedes broker. */
  broker: 'external' | 'aedes';
  dir: string;
  close(): Promise<void>;
}

/**
 * Database (test/support/db.ts), broker (`brokerUrl`, else MQTT_URL, else in-process aedes), dev keys and a
 * blob store in a temp dir.
 */
export async function startHarness(options: { brokerUrl?: string } = {}): Promise<DeliveryHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'delivery-'));
  const testDb = await createTestDatabase();
  await ensureDevKeySet(join(dir, 'keys'));
  const keys = await loadKeySet(join(dir, 'keys'), {});
  const external = options.brokerUrl ?? process.env.MQTT_URL;
  const embedded = external ? undefined : await startEmbeddedBroker();
  return {
    testDb,
    db: testDb.db,
    keys,
    blobs: new BlobStore(join(dir, 'blobs')),
    brokerUrl: external ?? embedded!.url,
    broker: embedded ? 'aedes' : 'external',
    dir,
    async close() {
      await embedded?.close();
      await destroyTestDatabase(testDb);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The options of a delivery service that uses this harness's database, keys, blobs and broker. */
export function harnessServiceOptions(
  h: DeliveryHarness,
  log: (line: string) => void,
): Pick<DeliveryServiceOptions, 'db' | 'keys' | 'blobs' | 'brokerUrl' | 'log'> {
  return { db: h.db, keys: h.keys, blobs: h.blobs, brokerUrl: h.brokerUrl, log };
}

/**
 * Destroys a test database. Its forced DROP may terminate connections pg's Pool.end() left closing:
 * createDatabase's pool absorbs that error (SQLSTATE 57P01), so no pause for the sockets is needed.
 */
export async function destroyTestDatabase(testDb: TestDatabase): Promise<void> {
  await testDb.destroy();
}
