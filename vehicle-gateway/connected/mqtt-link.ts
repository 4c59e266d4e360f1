// The gateway's MQTT side: one persistent session per VIN (MQTT 5 when the broker offers it, 3.1.1 otherwise:
// aedes speaks only 3.1.1), the vehicle's topics of protocol/messages, a retained status with a last will, and
// request/response correlation by requestId (MQTT 3.1.1 has no correlation data).
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  decodeChunkFrame,
  decodeMessage,
  encodeMessage,
  vehicleTopic,
  type ChunkFrame,
  type JsonMessageKind,
  type MessagePayload,
  type SignedSecurityEvent,
} from '../../protocol/index.ts';
import {
  forcedSubscription,
  reconnectWithBackoff,
  type ReconnectCounter,
} from '../../protocol/mqtt/reconnect-backoff.ts';
import {
  manifestKey,
  resultKey,
  securityEventKey,
  UntilStored,
  type StoredVerdict,
} from '../../protocol/mqtt/until-stored.ts';
import type { ByteRange, ChunkChannel } from '../../protocol/download/index.ts';
import type { GatewayConfig } from './config.ts';

type Offer = MessagePayload<'offer'>;
type MetadataResponse = MessagePayload<'metadata/response'>;

export interface VehicleMqtt extends ChunkChannel, ReconnectCounter {
  readonly protocolVersion: 4 | 5;
  publish<K extends JsonMessageKind>(
    kind: K,
    payload: MessagePayload<K>,
    options?: { retain?: boolean; qos?: 0 | 1 },
  ): Promise<void>;
  onOffer(listener: (offer: Offer) => void): () => void;
  /**
   * Publishes a result, a manifest or a security event and resends it with backoff until the backend confirms on
   * `stored` that it committed it; resolves with the backend's verdict.
   */
  sendUntilStored(kind: 'result', payload: MessagePayload<'result'>): Promise<StoredVerdict>;
  sendUntilStored(kind: 'manifest', payload: MessagePayload<'manifest'>): Promise<StoredVerdict>;
  sendUntilStored(kind: 'security-event', payload: SignedSecurityEvent): Promise<StoredVerdict>;
  /** Sends a metadata request and waits for the response with the same requestId. */
  requestMetadata(request: MessagePayload<'metadata/request'>, timeoutMs?: number): Promise<MetadataResponse>;
  /** Messages that failed validation (logged by the caller). */
  onInvalidMessage(listener: (err: Error) => void): () => void;
  close(): Promise<void>;
}

function listeners<T>() {
  let list: ((value: T) => void)[] = [];
  return {
    add(l: (value: T) => void) {
      list = [...list, l];
      return () => {
        list = list.filter((x) => x !== l);
      };
    },
    emit(value: T) {
      for (const l of list) l(value);
    },
  };
}

function clientOptions(config: GatewayConfig, protocolVersion: 4 | 5): IClientOptions {
  const b = config.broker;
  const will = encodeMessage('status', { online: false });
  return {
    protocolVersion,
    clientId: b.clientId ?? config.vin,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
    ...(b.username !== undefined ? { username: b.username } : {}),
    ...(b.password !== undefined ? { password: b.password } : {}),
    ...(b.caFile ? { ca: readFileSync(b.caFile) } : {}),
    ...(b.certFile ? { cert: readFileSync(b.certFile) } : {}),
    ...(b.keyFile ? { key: readFileSync(b.keyFile) } : {}),
    will: { topic: vehicleTopic(config.vin, 'status'), payload: Buffer.from(will), qos: 1, retain: true },
  };
}

/** MQTT 5 first; a broker that refuses it (aedes closes the connection) gets MQTT 3.1.1. */
async function connectWithFallback(config: GatewayConfig): Promise<{ client: MqttClient; version: 4 | 5 }> {
  try {
    return { client: await mqtt.connectAsync(config.broker.url, clientOptions(config, 5), false), version: 5 };
  } catch {
    return { client: await mqtt.connectAsync(config.broker.url, clientOptions(config, 4), false), version: 4 };
  }
}

export async function connectVehicleMqtt(config: GatewayConfig, log?: (line: string) => void): Promise<VehicleMqtt> {
  const { client, version } = await connectWithFallback(config);
  const reconnects = reconnectWithBackoff(client, `gateway ${config.vin}`, log ? { log } : {});
  const topic = (kind: Parameters<typeof vehicleTopic>[1]) => vehicleTopic(config.vin, kind);
  const offers = listeners<Offer>();
  const chunks = listeners<ChunkFrame>();
  const invalid = listeners<Error>();
  const metadataWaiters = new Map<string, { resolve: (r: MetadataResponse) => void; reject: (e: Error) => void }>();
  const untilStored = new UntilStored(
    async (kind, payload) => {
      await client.publishAsync(topic(kind), Buffer.from(payload), { qos: 1 });
    },
    log ? { log } : {},
  );

  client.on('message', (t, payload) => {
    try {
      if (t === topic('offer')) offers.emit(decodeMessage('offer', payload));
      else if (t === topic('chunks/data')) chunks.emit(decodeChunkFrame(new Uint8Array(payload)));
      else if (t === topic('stored')) untilStored.confirm(decodeMessage('stored', payload));
      else if (t === topic('metadata/response')) {
        const response = decodeMessage('metadata/response', payload);
        metadataWaiters.get(response.requestId)?.resolve(response);
      }
    } catch (err) {
      invalid.emit(err as Error);
    }
  });
  const subscribe = () =>
    client.subscribeAsync(
      forcedSubscription([topic('offer'), topic('metadata/response'), topic('chunks/data'), topic('stored')]),
    );
  await subscribe();
  // Re-subscribed after every reconnect: a broker restarted without persistence lost the session.
  client.on('connect', () => {
    subscribe().catch((err: Error) => invalid.emit(err));
    client
      .publishAsync(topic('status'), Buffer.from(encodeMessage('status', { online: true })), { qos: 1, retain: true })
      .catch(() => undefined);
  });
  await client.publishAsync(topic('status'), Buffer.from(encodeMessage('status', { online: true })), {
    qos: 1,
    retain: true,
  });

  return {
    protocolVersion: version,
    get reconnects() {
      return reconnects.reconnects;
    },
    onReconnect: (listener) => reconnects.onReconnect(listener),
    async publish(kind, payload, options = {}) {
      await client.publishAsync(topic(kind), Buffer.from(encodeMessage(kind, payload)), {
        qos: options.qos ?? 1,
        retain: options.retain ?? false,
      });
    },
    onOffer: (l) => offers.add(l),
    sendUntilStored(
      kind: 'result' | 'manifest' | 'security-event',
      payload: MessagePayload<'result'> | MessagePayload<'manifest'> | SignedSecurityEvent,
    ) {
      if (kind === 'result') {
        const result = payload as MessagePayload<'result'>;
        return untilStored.send(kind, resultKey(result.campaignId, result.resultId), encodeMessage(kind, result));
      }
      if (kind === 'security-event') {
        const event = payload as SignedSecurityEvent;
        const wire = { signatures: [...event.signatures], signed: event.signed };
        return untilStored.send(kind, securityEventKey(event.signed.counter), encodeMessage(kind, wire));
      }
      const manifest = payload as MessagePayload<'manifest'>;
      const counter = (manifest.signed as { counter: number }).counter;
      return untilStored.send(kind, manifestKey(counter), encodeMessage(kind, manifest));
    },
    onChunk: (l) => chunks.add(l),
    onInvalidMessage: (l) => invalid.add(l),
    async requestChunks(requestId: string, sha256: string, ranges: ByteRange[]) {
      await client.publishAsync(
        topic('chunks/request'),
        Buffer.from(encodeMessage('chunks/request', { requestId, sha256, ranges })),
        { qos: 1 },
      );
    },
    requestMetadata(request, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const settle = () => {
          clearTimeout(timer);
          metadataWaiters.delete(request.requestId);
        };
        const waiter = {
          resolve: (r: MetadataResponse) => (settle(), resolve(r)),
          reject: (e: Error) => (settle(), reject(e)),
        };
        const timer = setTimeout(
          () => waiter.reject(new Error(`no metadata response for ${request.campaignId} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        metadataWaiters.set(request.requestId, waiter);
        client
          .publishAsync(topic('metadata/request'), Buffer.from(encodeMessage('metadata/request', request)), { qos: 1 })
          .catch(waiter.reject);
      });
    },
    async close() {
      untilStored.stop();
      // Nobody waits out a response that can no longer arrive.
      for (const w of [...metadataWaiters.values()]) w.reject(new Error('the MQTT link was closed'));
      await client
        .publishAsync(topic('status'), Buffer.from(encodeMessage('status', { online: false })), {
          qos: 1,
          retain: true,
        })
        .catch(() => undefined);
      await client.endAsync();
    },
  };
}
