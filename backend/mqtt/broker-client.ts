import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { sharedSubscriptionFilter } from '../../protocol/messages/topics.ts';

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
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

/** One connection to the broker, in whichever protocol version the broker offered. */
export interface BrokerClient {
  readonly protocolVersion: MqttProtocolVersion;
  readonly mqtt: MqttClient;
  /** QoS 1 publish; resolves when the broker acknowledged it. */
  publish(topic: string, payload: Uint8Array | string): Promise<void>;
  /**
   * Subscribes (QoS 1) to `filter`: through the shared subscription `$share/GROUP/filter` on MQTT 5,
   * so that several backend instances split the messages, plainly on 3.1.1. Returns what was subscribed.
   */
  subscribeShared(filter: string, group: string): Promise<string>;
  /** Messages that arrived before the first handler was registered are handed to it. */
  onMessage(handler: MessageHandler): void;
  close(): Promise<void>;
}

/** MQTT CONNACK return code 1 (3.1.1) / reason 132 (5): the broker does not speak this version. */
const UNSUPPORTED_PROTOCOL = new Set([1, 132]);
/** Seconds a broker keeps a persistent MQTT 5 session after a disconnect. */
const SESSION_EXPIRY_SECONDS = 24 * 3600;

function clientOptions(options: BrokerClientOptions, version: MqttProtocolVersion): IClientOptions {
  const persistent = options.persistentSession ?? false;
  return {
    clientId: options.clientId,
    protocolVersion: version,
    clean: !persistent,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(version === 5 && persistent ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_SECONDS } } : {}),
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
): Promise<MqttClient> {
  // No automatic reconnect until the first CONNACK: a refused version must fail fast, not loop.
  const client = mqtt.connect(options.url, { ...clientOptions(options, version), reconnectPeriod: 0 });
  client.on('message', onMessage);
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      client.removeListener('connect', ok);
      client.end(true);
      reject(error);
    };
    const ok = () => {
      client.removeListener('error', fail);
      client.options.reconnectPeriod = 1000;
      resolve(client);
    };
    client.once('connect', ok);
    client.once('error', fail);
    client.once('close', () => fail(new Error('connection closed before CONNACK')));
  });
}

export async function connectBroker(options: BrokerClientOptions): Promise<BrokerClient> {
  const handlers: MessageHandler[] = [];
  // Messages that arrive before the first onMessage() call are kept for it.
  let early: [string, Buffer][] | undefined = [];
  const dispatch: MessageHandler = (topic, payload) => {
    if (early) early.push([topic, payload]);
    else for (const handler of handlers) handler(topic, payload);
  };
  let version: MqttProtocolVersion = options.protocolVersion ?? 5;
  let client: MqttClient;
  try {
    client = await connectVersion(options, version, dispatch);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (options.protocolVersion !== undefined || typeof code !== 'number' || !UNSUPPORTED_PROTOCOL.has(code)) {
      throw new Error(`cannot connect to MQTT broker ${options.url}: ${(error as Error).message}`, { cause: error });
    }
    version = 4;
    client = await connectVersion(options, version, dispatch);
  }
  return {
    protocolVersion: version,
    mqtt: client,
    async publish(topic, payload) {
      await client.publishAsync(topic, Buffer.from(payload), { qos: 1 });
    },
    async subscribeShared(filter, group) {
      const actual = version === 5 ? sharedSubscriptionFilter(group, filter) : filter;
      const granted = await client.subscribeAsync(actual, { qos: 1 });
      const refused = granted.find((g) => g.qos === 128);
      if (refused) throw new Error(`broker refused the subscription to ${actual}`);
      return actual;
    },
    onMessage(handler) {
      handlers.push(handler);
      const queued = early;
      early = undefined;
      for (const [topic, payload] of queued ?? []) handler(topic, payload);
    },
    async close() {
      await client.endAsync();
    },
  };
}
