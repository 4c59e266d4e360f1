// The vehicle's side of its MQTT session, shared by the gateway and the fleet simulator: the vehicle's topics
// of protocol/messages, a retained status with a last will, request/response correlation by requestId (MQTT
// 3.1.1 has no correlation data), chunk requests for protocol/download, and results, manifests and security
// events resent until the backend confirms it stored them. Connecting (URL, TLS, MQTT version) is the caller's.
import type { IClientOptions, MqttClient } from 'mqtt';
import type { ByteRange, ChunkChannel } from '../download/index.ts';
import { decodeChunkFrame, type ChunkFrame } from '../messages/chunk-frame.ts';
import { decodeMessage, encodeMessage } from '../messages/codec.ts';
import type { JsonMessageKind, MessagePayload } from '../messages/payloads.ts';
import type { SignedSecurityEvent } from '../messages/security-event.ts';
import { vehicleTopic } from '../messages/topics.ts';
import { forcedSubscription, reconnectWithBackoff, type ReconnectCounter } from './reconnect-backoff.ts';
import {
  manifestKey,
  resultKey,
  securityEventKey,
  UntilStored,
  type StoredVerdict,
  type UntilStoredOptions,
} from './until-stored.ts';

type Offer = MessagePayload<'offer'>;
type MetadataResponse = MessagePayload<'metadata/response'>;
type Status = MessagePayload<'status'>;

export interface VehicleMqtt extends ChunkChannel, ReconnectCounter {
  readonly protocolVersion: 4 | 5;
  /** Results, manifests and security events sent and not yet confirmed by the backend. */
  readonly unconfirmed: number;
  /** Of those, sent again because no confirmation came. */
  readonly resends: number;
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
  /**
   * Sends a metadata request and waits for the response with the same requestId, asking again (same id) up to
   * `attempts` times when none comes within `timeoutMs`: the backend may have restarted in between.
   */
  requestMetadata(request: MessagePayload<'metadata/request'>, wait?: MetadataWait): Promise<MetadataResponse>;
  /** Messages that failed validation (logged by the caller). */
  onInvalidMessage(listener: (err: Error) => void): () => void;
  close(): Promise<void>;
}

export interface MetadataWait {
  /** Per attempt (default 30 s). */
  timeoutMs?: number;
  /** Default 1. */
  attempts?: number;
}

export interface VehicleLinkOptions {
  vin: string;
  /** Who this is in reconnect log lines ("gateway VIN"). */
  name: string;
  protocolVersion: 4 | 5;
  /** Retained on `status` at every connection (default `{ online: true }`). */
  status?: Status;
  untilStored?: UntilStoredOptions;
  log?: (line: string) => void;
}

/** The last will every vehicle leaves: a retained `{ online: false }` status. */
export function vehicleWill(vin: string): NonNullable<IClientOptions['will']> {
  const payload = Buffer.from(encodeMessage('status', { online: false }));
  return { topic: vehicleTopic(vin, 'status'), payload, qos: 1, retain: true };
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

type MetadataWaiter = { resolve: (r: MetadataResponse) => void; reject: (e: Error) => void };

/** The link's state: its client, topics, listeners and what waits for an answer. */
class LinkParts {
  readonly offers = listeners<Offer>();
  readonly chunks = listeners<ChunkFrame>();
  readonly invalid = listeners<Error>();
  readonly metadataWaiters = new Map<string, MetadataWaiter>();
  readonly untilStored: UntilStored;

  constructor(
    readonly client: MqttClient,
    readonly options: VehicleLinkOptions,
  ) {
    const log = options.log;
    this.untilStored = new UntilStored((kind, payload) => this.send(kind, payload), {
      ...(log ? { log } : {}),
      ...options.untilStored,
    });
  }

  topic(kind: Parameters<typeof vehicleTopic>[1]): string {
    return vehicleTopic(this.options.vin, kind);
  }

  async send(kind: Parameters<typeof vehicleTopic>[1], payload: Uint8Array, qos: 0 | 1 = 1, retain = false) {
    await this.client.publishAsync(this.topic(kind), Buffer.from(payload), { qos, retain });
  }

  publishStatus(status: Status): Promise<void> {
    return this.send('status', encodeMessage('status', status), 1, true);
  }

  onMessage(t: string, payload: Buffer): void {
    try {
      if (t === this.topic('offer')) this.offers.emit(decodeMessage('offer', payload));
      else if (t === this.topic('chunks/data')) this.chunks.emit(decodeChunkFrame(new Uint8Array(payload)));
      else if (t === this.topic('stored')) this.untilStored.confirm(decodeMessage('stored', payload));
      else if (t === this.topic('metadata/response')) {
        const response = decodeMessage('metadata/response', payload);
        this.metadataWaiters.get(response.requestId)?.resolve(response);
      }
    } catch (err) {
      this.invalid.emit(err as Error);
    }
  }

  subscribe() {
    const downlink = ['offer', 'metadata/response', 'chunks/data', 'stored'] as const;
    return this.client.subscribeAsync(forcedSubscription(downlink.map((k) => this.topic(k))));
  }

  sendUntilStored(
    kind: 'result' | 'manifest' | 'security-event',
    payload: MessagePayload<'result'> | MessagePayload<'manifest'> | SignedSecurityEvent,
  ): Promise<StoredVerdict> {
    if (kind === 'result') {
      const result = payload as MessagePayload<'result'>;
      return this.untilStored.send(kind, resultKey(result.campaignId, result.resultId), encodeMessage(kind, result));
    }
    if (kind === 'security-event') {
      const event = payload as SignedSecurityEvent;
      const wire = { signatures: [...event.signatures], signed: event.signed };
      return this.untilStored.send(kind, securityEventKey(event.signed.counter), encodeMessage(kind, wire));
    }
    const manifest = payload as MessagePayload<'manifest'>;
    const counter = (manifest.signed as { counter: number }).counter;
    return this.untilStored.send(kind, manifestKey(counter), encodeMessage(kind, manifest));
  }

  /** One attempt: publish the request, wait `timeoutMs` for its response. */
  metadataAttempt(request: MessagePayload<'metadata/request'>, timeoutMs: number): Promise<MetadataResponse | null> {
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.metadataWaiters.delete(request.requestId);
      };
      const waiter = {
        resolve: (r: MetadataResponse) => (settle(), resolve(r)),
        reject: (e: Error) => (settle(), reject(e)),
      };
      const timer = setTimeout(() => (settle(), resolve(null)), timeoutMs);
      this.metadataWaiters.set(request.requestId, waiter);
      this.send('metadata/request', encodeMessage('metadata/request', request)).catch(waiter.reject);
    });
  }

  async requestMetadata(request: MessagePayload<'metadata/request'>, wait: MetadataWait): Promise<MetadataResponse> {
    const { timeoutMs = 30_000, attempts = 1 } = wait;
    for (let i = 0; i < attempts; i++) {
      const response = await this.metadataAttempt(request, timeoutMs);
      if (response) return response;
    }
    const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
    throw new Error(`no metadata response for ${request.campaignId} within ${timeoutMs} ms${tries}`);
  }

  async close(): Promise<void> {
    this.untilStored.stop();
    // Nobody waits out a response that can no longer arrive.
    for (const w of [...this.metadataWaiters.values()]) w.reject(new Error('the MQTT link was closed'));
    if (this.client.connected) await this.publishStatus({ online: false }).catch(() => undefined);
    await this.client.endAsync();
  }
}

/**
 * Makes `client` (connected, with the will of vehicleWill) the vehicle's link: subscribes to its downlink
 * topics (again after every reconnect: a broker restarted without persistence lost the session) and
 * publishes its retained status.
 */
export async function attachVehicleLink(client: MqttClient, options: VehicleLinkOptions): Promise<VehicleMqtt> {
  const log = options.log;
  const reconnects = reconnectWithBackoff(client, options.name, log ? { log } : {});
  const parts = new LinkParts(client, options);
  const status = options.status ?? { online: true };
  client.on('message', (t, payload) => parts.onMessage(t, payload));
  await parts.subscribe();
  client.on('connect', () => {
    parts.subscribe().catch((err: Error) => parts.invalid.emit(err));
    parts.publishStatus(status).catch(() => undefined);
  });
  await parts.publishStatus(status);
  return linkOf(parts, reconnects);
}

function linkOf(parts: LinkParts, reconnects: ReconnectCounter): VehicleMqtt {
  return {
    protocolVersion: parts.options.protocolVersion,
    get reconnects() {
      return reconnects.reconnects;
    },
    get unconfirmed() {
      return parts.untilStored.pending;
    },
    get resends() {
      return parts.untilStored.resends;
    },
    onReconnect: (listener) => reconnects.onReconnect(listener),
    async publish(kind, payload, options = {}) {
      await parts.send(kind, encodeMessage(kind, payload), options.qos ?? 1, options.retain ?? false);
    },
    onOffer: (l) => parts.offers.add(l),
    sendUntilStored(
      kind: 'result' | 'manifest' | 'security-event',
      payload: MessagePayload<'result'> | MessagePayload<'manifest'> | SignedSecurityEvent,
    ) {
      return parts.sendUntilStored(kind, payload);
    },
    onChunk: (l) => parts.chunks.add(l),
    onInvalidMessage: (l) => parts.invalid.add(l),
    async requestChunks(requestId: string, sha256: string, ranges: ByteRange[]) {
      await parts.send('chunks/request', encodeMessage('chunks/request', { requestId, sha256, ranges }));
    },
    requestMetadata: (request, wait = {}) => parts.requestMetadata(request, wait),
    close: () => parts.close(),
  };
}
