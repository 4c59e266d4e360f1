// The backend's delivery side as its own process, for the chaos and two-instance tests to SIGKILL: the
// database at CHAOS_DATABASE_URL, the broker at CHAOS_MQTT_URL, keys and blobs from CHAOS_DIR, the
// MQTT client id CHAOS_CLIENT_ID (one per instance; default chaos-backend).
import { join } from 'node:path';
import { BlobStore } from '../../../../backend/blobs/store.ts';
import { createDatabase } from '../../../../backend/db/database.ts';
import { startDeliveryService } from '../../../../backend/delivery/service.ts';
import { loadKeySet } from '../../../../backend/keys/key-set.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const dir = env('CHAOS_DIR');
const db = createDatabase({ url: env('CHAOS_DATABASE_URL') });
await startDeliveryService({
  db,
  keys: await loadKeySet(join(dir, 'keys'), {}),
  blobs: new BlobStore(join(dir, 'blobs')),
  brokerUrl: env('CHAOS_MQTT_URL'),
  clientId: process.env.CHAOS_CLIENT_ID ?? 'chaos-backend',
  log: (line) => console.log(line),
  dispatcher: { tickMs: 100, batchSize: 50, offerAckTimeoutMs: 5000 },
  ingester: { flushMs: 30 },
});
console.log('delivery ready');
