import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { sharedSubscriptionFilter } from '@ota/protocol/messages';
import { forcedSubscription, reconnectWithBackoff } from '@ota/protocol/mqtt';
import type { ReconnectCounter } from '@ota/protocol/mqtt';
import { deferAcks } from './deferred-acks.ts';
import type { Ack, DeferredAcks } from './deferred-acks.ts';

export type MqttProtocolVersion = 4 | 5;

export interface BrokerTls {
  /** PEM of the CA that signed the broker's certificate. */
  ca: string;
  /** This client's certificate and key (PEM): the broker takes the identity from its CN. */
  cert: string;
  key: string;
}

export interface BrokerClientOptions {
  url: string;
  clientId: string;
  /**
   * Keep the session (subscriptions and queued QoS 1 messages) across disconnects, so reports sent
   * while this client is down are delivered when it comes back with the same clientId.
   */
  persistentSession?: boolean;
  tls?: BrokerTls;
  /** Force a protocol version; by default MQTT 5 is tried first and 3.1.1 used when refused. */
  protocolVersion?: MqttProtocolVersion;
  /**
   * QoS 1 messages on topics for which this returns true are acknowledged to the broker only when
   * the handler calls `ack()` (after it stored them): until then the broker keeps them and
   * redelivers them after a crash. On MQTT 5 `maxUnacked` (default 1000) is the Receive Maximum
   * announced to the broker; the bound on what is held is whoever holds them (pauseReadingWhile).
   */
  manualAck?: (topic: string) => boolean;
  maxUnacked?: number;
  /** Reconnects are logged here. */
  log?: (line: string) => void;
}

export type { Ack } from './deferred-acks.ts';
/** `ack` acknowledges the message to the broker (a no-op unless its topic is under manualAck). */
export type MessageHandler = (topic: string, payload: Buffer, ack: Ack) => void;

/** One connection to the broker, in whichever protocol version the broker offered. */
export interface BrokerClient extends ReconnectCounter {
  readonly protocolVersion: MqttProtocolVersion;
  readonly mqtt: MqttClient;
  /** QoS 1 publish; resolves when the broker acknowledged it. */
  publish(topic: string, payload: Uint8Array | string): Promise<void>;
  /**
   * QoS 0 publish, fire and forget: nothing answers it and nothing waits for its write (a callback
   * would be queued on the socket's 'drain' per message while it is congested), so one lost on the
   * way, or while disconnected, is lost. Dropped here too while more than MAX_AT_MOST_ONCE_BACKLOG
   * bytes wait on the socket (the broker reads slower than this client writes): buffering them
   * instead grew the backend past 1 GB when a million results arrived faster than it stored them.
   */
  publishAtMostOnce(topic: string, payload: Uint8Array): void;
  /** QoS 0 messages publishAtMostOnce dropped because the socket was congested, since connecting. */
  readonly droppedAtMostOnce: number;
  /**
   * Subscribes (QoS 1) to `filter`: through the shared subscription `$share/GROUP/filter` on MQTT 5,
   * so that several backend instances split the messages, plainly on 3.1.1. Returns what was subscribed.
   */
  subscribeShared(filter: string, group: string): Promise<string>;
  /** Messages that arrived before the first handler was registered are handed to it. */
  onMessage(handler: MessageHandler): void;
  /**
   * Reading pauses after each message while `full()` (the holder's admission bound); returns the
   * call that reads on once it no longer is. See DeferredAcks.pauseReadingWhile.
   */
  pauseReadingWhile(full: () => boolean): () => void;
  close(): Promise<void>;
}

/** MQTT CONNACK return code 1 (3.1.1) / reason 132 (5): the broker does not speak this version. */
const UNSUPPORTED_PROTOCOL = new Set([1, 132]);
/** Seconds a broker keeps a persistent MQTT 5 session after a disconnect. */
const SESSION_EXPIRY_SECONDS = 24 * 3600;

const noLog = () => undefined;
const QOS_1 = { qos: 1 } as const;
const QOS_0 = { qos: 0 } as const;
/** Bytes waiting on the socket past which a QoS 0 publish is dropped (about 8,000 `stored` confirmations). */
export const MAX_AT_MOST_ONCE_BACKLOG = 1024 * 1024;

/** Default of BrokerClientOptions.maxUnacked. */
const MAX_UNACKED = 1000;

function clientOptions(options: BrokerClientOptions, version: MqttProtocolVersion): IClientOptions {
  const persistent = options.persistentSession ?? false;
  // MQTT 5: the broker itself sends no more than maxUnacked QoS 1 messages unacknowledged (Receive
  // Maximum), so held reports wait in the broker's queue for this session, not in this process.
  const properties = {
    ...(version === 5 && persistent ? { sessionExpiryInterval: SESSION_EXPIRY_SECONDS } : {}),
    ...(version === 5 && options.manualAck ? { receiveMaximum: options.maxUnacked ?? MAX_UNACKED } : {}),
  };
  return {
    clientId: options.clientId,
    protocolVersion: version,
    clean: !persistent,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // mqtt.js logs through `debug` several times per packet even when disabled (an arguments array
    // each: ~3 % of the backend's CPU in the fleet bench); its events are what this module uses.
    log: noLog,
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(options.tls
      ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: true }
      : {}),
  };
}

/**
 * Connects and resolves on CONNACK. The message listener is attached before the CONNECT is sent:
 * a persistent session's queued messages follow the CONNACK immediately and would be lost otherwise.
 */
function connectVersion(
  options: BrokerClientOptions,
  version: MqttProtocolVersion,
  onMessage: MessageHandler,
): Promise<{ client: MqttClient; acks: DeferredAcks }> {
  // No automatic reconnect until the first CONNACK: a refused version must fail fast, not loop.
  const client = mqtt.connect(options.url, { ...clientOptions(options, version), reconnectPeriod: 0 });
  const acks = deferAcks(client, options.manualAck ?? (() => false));
  client.on('message', (topic, payload, packet) => onMessage(topic, payload, acks.ackOf(packet)));
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      unlisten();
      client.end(true);
      reject(error);
    };
    const closed = () => fail(new Error('connection closed before CONNACK'));
    const ok = () => {
      // Only the first connection attempt may fail the connect: later closes are reconnected.
      unlisten();
      resolve({ client, acks });
    };
    const unlisten = () => {
      client.removeListener('connect', ok);
      client.removeListener('error', fail);
      client.removeListener('close', closed);
    };
    client.once('connect', ok);
    client.once('error', fail);
    client.once('close', closed);
  });
}

/** The bytes of `payload` as a Buffer, sharing its memory. */
function asBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

export async function connectBroker(options: BrokerClientOptions): Promise<BrokerClient> {
  const handlers: MessageHandler[] = [];
  // Messages that arrive before the first onMessage() call are kept for it.
  let early: [string, Buffer, Ack][] | undefined = [];
  const dispatch: MessageHandler = (topic, payload, ack) => {
    if (early) early.push([topic, payload, ack]);
    else for (const handler of handlers) handler(topic, payload, ack);
  };
  let version: MqttProtocolVersion = options.protocolVersion ?? 5;
  let connected: { client: MqttClient; acks: DeferredAcks };
  try {
    connected = await connectVersion(options, version, dispatch);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (options.protocolVersion !== undefined || typeof code !== 'number' || !UNSUPPORTED_PROTOCOL.has(code)) {
      throw new Error(`cannot connect to MQTT broker ${options.url}: ${(error as Error).message}`, { cause: error });
    }
    version = 4;
    connected = await connectVersion(options, version, dispatch);
  }
  const { client, acks } = connected;
  // After the first CONNACK every loss is retried, with backoff.
  const counter = reconnectWithBackoff(client, `client ${options.clientId}`, options.log ? { log: options.log } : {});
  // Subscribed again after every reconnect, session present or not: Mosquitto 2.0.11 restores a
  // persistent session from its persistence file without its $share subscriptions.
  const subscriptions = new Set<string>();
  counter.onReconnect(() => {
    if (subscriptions.size === 0) return;
    client
      .subscribeAsync(forcedSubscription(subscriptions))
      .catch((error: Error) => options.log?.(`mqtt: client ${options.clientId}: resubscribe failed: ${error.message}`));
  });
  let droppedAtMostOnce = 0;
  return {
    protocolVersion: version,
    mqtt: client,
    get droppedAtMostOnce() {
      return droppedAtMostOnce;
    },
    get reconnects() {
      return counter.reconnects;
    },
    onReconnect: (listener) => counter.onReconnect(listener),
    publish(topic, payload) {
      // A view, not a copy: one encoded offer is published to many vehicles.
      const bytes = typeof payload === 'string' ? Buffer.from(payload) : asBuffer(payload);
      return new Promise((resolve, reject) =>
        client.publish(topic, bytes, QOS_1, (error) => (error ? reject(error) : resolve())),
      );
    },
    publishAtMostOnce(topic, payload) {
      if ((client.stream?.writableLength ?? 0) > MAX_AT_MOST_ONCE_BACKLOG) droppedAtMostOnce++;
      else client.publish(topic, asBuffer(payload), QOS_0);
    },
    async subscribeShared(filter, group) {
      const actual = version === 5 ? sharedSubscriptionFilter(group, filter) : filter;
      const granted = await client.subscribeAsync(actual, { qos: 1 });
      const refused = granted.find((g) => g.qos === 128);
      if (refused) throw new Error(`broker refused the subscription to ${actual}`);
      subscriptions.add(actual);
      return actual;
    },
    onMessage(handler) {
      handlers.push(handler);
      const queued = early;
      early = undefined;
      for (const [topic, payload, ack] of queued ?? []) handler(topic, payload, ack);
    },
    pauseReadingWhile: (full) => acks.pauseReadingWhile(full),
    async close() {
      await client.endAsync();
    },
  };
}
