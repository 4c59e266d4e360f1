import { MessageDecodeError, parseVehicleTopic, subscriptionFilter } from '@ota/protocol/messages';
import type { MessageKind } from '@ota/protocol/messages';
import type { BlobStore } from '../blobs/store.ts';
import type { Db } from '../db/database.ts';
import type { KeySet } from '../keys/key-set.ts';
import { connectBroker } from '../mqtt/broker-client.ts';
import type { BrokerClient, BrokerTls } from '../mqtt/broker-client.ts';
import { ChunkServer } from './chunk-server.ts';
import { Dispatcher } from './dispatcher.ts';
import type { DispatcherOptions } from './dispatcher.ts';
import { RolloutEvaluator } from '../campaigns/rollout-evaluator.ts';
import type { RolloutEvaluatorOptions } from '../campaigns/rollout-evaluator.ts';
import { Ingester } from './ingest/ingester.ts';
import type { IngesterOptions } from './ingest/ingester.ts';
import { recordRejections } from './ingest/rejections.ts';
import type { DeliveryLog } from './ingest/rejections.ts';
import { MetadataResponder } from './metadata-responder.ts';

export interface DeliveryServiceOptions {
  db: Db;
  keys: KeySet;
  blobs: BlobStore;
  brokerUrl: string;
  tls?: BrokerTls;
  /**
   * The MQTT client id. Keep it stable across restarts: the broker holds this instance's session
   * (subscriptions and reports sent while it was down) under it.
   */
  clientId?: string;
  /**
   * Shared subscription group of the backend instances (MQTT 5). Every session in the group gets
   * its share of the reports, offline ones too: an instance retired for good must leave the group
   * (stop({ leaveGroup: true })) or its session will swallow reports until it expires.
   */
  sharedGroup?: string;
  log?: DeliveryLog;
  /**
   * Most reports held in memory until stored (default 4000, written in batches of half that), every
   * kind counted, progress at QoS 0 too: the ingester's admission bound. With that many held, reading
   * from the broker pauses until a batch is committed (the broker holds the rest), so the ingester's
   * memory stays bounded however fast reports arrive. It is also the Receive Maximum announced on MQTT 5.
   */
  maxUnackedReports?: number;
  dispatcher?: DispatcherOptions;
  ingester?: IngesterOptions;
  evaluator?: RolloutEvaluatorOptions;
}

export interface DeliveryService {
  /** The connection that receives vehicles' messages (the shared subscription) and acknowledges reports. */
  readonly broker: BrokerClient;
  /** The connections that publish: offers, and replies (`stored`, metadata, chunks); see Publisher. */
  readonly publishers: Readonly<Record<Publisher, BrokerClient>>;
  /** All of them: the receiving one, then the publishers (readiness, connection logs, stop). */
  readonly connections: readonly BrokerClient[];
  readonly dispatcher: Dispatcher;
  readonly ingester: Ingester;
  /** Runs the rollout rules of campaigns whose counts changed, and of every running one periodically. */
  readonly evaluator: RolloutEvaluator;
  /**
   * Stops dispatching, finishes answering requests, writes (and acknowledges) every report
   * received, then disconnects (the broker keeps the session and queues reports for this client id
   * unless `leaveGroup`; a report that arrived meanwhile is not acknowledged: it comes again).
   */
  stop(options?: { leaveGroup?: boolean }): Promise<void>;
}

/** The kinds a vehicle publishes that the backend consumes. */
const INBOUND: readonly MessageKind[] = [
  'metadata/request',
  'chunks/request',
  'progress',
  'result',
  'manifest',
  'security-event',
];
/** The kinds the ingester stores. */
const REPORTS: ReadonlySet<MessageKind> = new Set(['progress', 'result', 'manifest', 'security-event']);
/** Default of DeliveryServiceOptions.maxUnackedReports. */
const DEFAULT_MAX_UNACKED_REPORTS = 4000;
/**
 * The connections each instance publishes on, apart from the one it receives on. Mosquitto reads one
 * packet per client per turn of its event loop (2.0.11 `mux_epoll.c`: one `packet__read` per readable
 * socket), so what one connection can send is bounded by that loop's turns: offers, the reports'
 * PUBACKs and the `stored` confirmations on one connection shared that bound three ways.
 */
type Publisher = 'offers' | 'replies';
/** Shared subscription group of all backend instances. */
export const BACKEND_GROUP = 'backend';

/** The receiving connection (reports acknowledged once committed) and the publishing ones. */
async function connectDelivery(
  options: DeliveryServiceOptions,
  log: DeliveryLog,
): Promise<{ broker: BrokerClient; publishers: Record<Publisher, BrokerClient> }> {
  const clientId = options.clientId ?? 'ota-backend-delivery';
  const common = { url: options.brokerUrl, persistentSession: true, log, ...(options.tls ? { tls: options.tls } : {}) };
  const broker = await connectBroker({
    ...common,
    clientId,
    // Reports are acknowledged to the broker only once committed (the ingester calls ack).
    manualAck: (topic) => {
      const kind = parseVehicleTopic(topic)?.kind;
      return kind !== undefined && REPORTS.has(kind);
    },
    maxUnacked: options.maxUnackedReports ?? DEFAULT_MAX_UNACKED_REPORTS,
  });
  // Persistent as the receiving one: a QoS 1 offer in flight when the connection drops is sent again.
  const connectAs = (role: Publisher) => connectBroker({ ...common, clientId: `${clientId}-${role}` });
  const [offers, replies] = await Promise.all([connectAs('offers'), connectAs('replies')]);
  return { broker, publishers: { offers, replies } };
}

/**
 * The delivery side of the backend: offers for started waves (paced), metadata and chunks on
 * request, and batched ingestion of progress, results and version manifests.
 */
export async function startDeliveryService(options: DeliveryServiceOptions): Promise<DeliveryService> {
  const db = options.db;
  const log = options.log ?? ((line: string) => console.log(line));
  const { broker, publishers } = await connectDelivery(options, log);
  const { offers, replies } = publishers;
  const connections = [broker, offers, replies];
  const evaluator = new RolloutEvaluator({ db, log }, options.evaluator);
  const ingester = new Ingester(
    { db, broker, replies, offers, log, countsChanged: (campaignIds) => evaluator.notify(campaignIds) },
    { maxBuffered: options.maxUnackedReports ?? DEFAULT_MAX_UNACKED_REPORTS, ...options.ingester },
  );
  const metadata = new MetadataResponder({ db, keys: options.keys, broker: replies });
  const chunks = new ChunkServer({ db, blobs: options.blobs, broker: replies });
  const dispatcher = new Dispatcher(
    { db, broker: offers, blobs: options.blobs, keys: options.keys, log },
    options.dispatcher,
  );

  // Requests being answered: a graceful stop lets them finish before disconnecting.
  const inFlight = new Set<Promise<unknown>>();
  const refuse = (vin: string, topic: string, reason: string) =>
    void recordRejections(db, [{ vin, topic, reason }], log).catch((e: unknown) =>
      log(`delivery: ${(e as Error).message}`),
    );
  broker.onMessage((topic, payload, ack) => {
    const parsed = parseVehicleTopic(topic);
    if (!parsed) return ack();
    const { vin, kind } = parsed;
    if (kind === 'progress' || kind === 'result' || kind === 'manifest' || kind === 'security-event') {
      ingester.push({ vin, kind, topic, payload, ack });
      return;
    }
    const handling =
      kind === 'metadata/request'
        ? metadata.handle(vin, payload).then(() => undefined)
        : kind === 'chunks/request'
          ? chunks.handle(vin, payload)
          : Promise.resolve(undefined);
    const done = handling.then(
      (refused) => refused && refuse(vin, topic, refused),
      (error: unknown) =>
        refuse(vin, topic, error instanceof MessageDecodeError ? error.message : `failed: ${(error as Error).message}`),
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  const group = options.sharedGroup ?? BACKEND_GROUP;
  const subscribed: string[] = [];
  for (const kind of INBOUND) subscribed.push(await broker.subscribeShared(subscriptionFilter(kind), group));
  dispatcher.start();
  evaluator.start();
  log(
    `delivery: connected to ${options.brokerUrl} (MQTT ${broker.protocolVersion === 5 ? '5, shared subscription' : '3.1.1'})`,
  );

  return {
    broker,
    publishers,
    connections,
    dispatcher,
    ingester,
    evaluator,
    async stop(stopOptions = {}) {
      await dispatcher.stop();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await ingester.drain();
      await evaluator.stop();
      if (stopOptions.leaveGroup) await broker.mqtt.unsubscribeAsync(subscribed);
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}
