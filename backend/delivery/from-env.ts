import { BlobStore } from '../blobs/store.ts';
import { BACKEND_ENV } from '../config.ts';
import { parseEnv, pickEnv } from '../../runtime/env-config.ts';
import type { Db } from '../db/database.ts';
import { ensureDevKeySet } from '../keys/generate.ts';
import { defaultKeysDir, loadKeySet } from '../keys/key-set.ts';
import type { KeySet } from '../keys/key-set.ts';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.ts';
import type { EmbeddedBroker } from '../mqtt/embedded-broker.ts';
import { publishImageRepository } from '../tuf-repo/image-repository.ts';
import { ensureRoot } from '../tuf-repo/root.ts';
import { startDeliveryService } from './service.ts';
import type { DeliveryService } from './service.ts';

export interface DeliveryFromEnv {
  readonly service: DeliveryService;
  /** The in-process broker, when MQTT_URL was not set. */
  readonly embeddedBroker: EmbeddedBroker | undefined;
  readonly brokerUrl: string;
  /** The signing keys delivery loaded; the API uses them to publish a release as it is authorised. */
  readonly keys: KeySet;
  stop(): Promise<void>;
}

/**
 * Starts delivery the way the backend's main does: keys from KEYS_DIR (default DATA_DIR/keys; a
 * dev key set is generated there on first start in the embedded mode only), the broker at MQTT_URL
 * or an in-process one on 127.0.0.1:MQTT_PORT (default 1883, a free port when taken), then
 * publishes the repositories' current metadata.
 */
export async function startDeliveryFromEnv(
  db: Db,
  blobDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DeliveryFromEnv> {
  const limits = await parseEnv(
    pickEnv(BACKEND_ENV, ['DELIVERY_MAX_INFLIGHT_OFFERS', 'DELIVERY_INGEST_MAX_UNACKED', 'DELIVERY_SHARED_GROUP']),
    env,
  );
  const keysDir = defaultKeysDir(env);
  const embedded = !env.DATABASE_URL && !env.MQTT_URL;
  if (embedded && (await ensureDevKeySet(keysDir)))
    console.log(`delivery: generated a development key set in ${keysDir}`);
  const keys = await loadKeySet(keysDir, env);
  await ensureRoot(db, keys, 'director', new Date());
  await publishImageRepository(db, keys);

  let embeddedBroker: EmbeddedBroker | undefined;
  if (!env.MQTT_URL) {
    const port = Number(env.MQTT_PORT ?? 1883);
    embeddedBroker = await startEmbeddedBroker({ port }).catch(() => startEmbeddedBroker({ port: 0 }));
    console.log(`delivery: in-process MQTT broker (3.1.1) at ${embeddedBroker.url}`);
  }
  const brokerUrl = env.MQTT_URL ?? embeddedBroker!.url;
  const tls =
    env.MQTT_CA_FILE && env.MQTT_CERT_FILE && env.MQTT_KEY_FILE
      ? await (async () => {
          const { readFile } = await import('node:fs/promises');
          return {
            ca: await readFile(env.MQTT_CA_FILE!, 'utf8'),
            cert: await readFile(env.MQTT_CERT_FILE!, 'utf8'),
            key: await readFile(env.MQTT_KEY_FILE!, 'utf8'),
          };
        })()
      : undefined;
  const service = await startDeliveryService({
    db,
    keys,
    blobs: new BlobStore(blobDir),
    brokerUrl,
    ...(tls ? { tls } : {}),
    ...(env.DELIVERY_CLIENT_ID ? { clientId: env.DELIVERY_CLIENT_ID } : {}),
    ...(limits.DELIVERY_SHARED_GROUP ? { sharedGroup: limits.DELIVERY_SHARED_GROUP } : {}),
    dispatcher: { maxInFlightOffers: limits.DELIVERY_MAX_INFLIGHT_OFFERS },
    maxUnackedReports: limits.DELIVERY_INGEST_MAX_UNACKED,
  });
  return {
    service,
    embeddedBroker,
    brokerUrl,
    keys,
    async stop() {
      await service.stop();
      await embeddedBroker?.close();
    },
  };
}
