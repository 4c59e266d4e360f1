// Reconnect with exponential backoff for every long-lived MQTT client (backend, gateway, fleet
// simulator): mqtt.js retries at a fixed `reconnectPeriod`, which after a broker restart has every
// client of a fleet hammer the broker in lockstep. Shared here because programs never import each other.
import type { ISubscriptionMap, MqttClient } from 'mqtt';
import { doubledDelay } from './backoff.ts';

export interface ReconnectBackoffOptions {
  /** First retry delay (ms); doubled on each failed attempt up to maxMs, with jitter. */
  minMs?: number;
  maxMs?: number;
  /** Told each loss of the connection, its return (not the first connection) and connection errors. */
  log?: (line: string) => void;
  /** Random source in [0,1) for the jitter; injectable for tests. */
  random?: () => number;
}

export interface ReconnectCounter {
  /** Connections re-established after a loss since the client was created (for a metric). */
  readonly reconnects: number;
  /** Listener called after each re-established connection, with the running count. */
  onReconnect(listener: (count: number) => void): void;
}

/** Makes `client` retry with backoff and counts its reconnects; it must have reconnectPeriod > 0 after its first CONNACK. */
export function reconnectWithBackoff(
  client: MqttClient,
  name: string,
  options: ReconnectBackoffOptions = {},
): ReconnectCounter {
  const minMs = options.minMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  const listeners: ((count: number) => void)[] = [];
  let attempts = 0;
  let lost = false;
  let reconnects = 0;
  client.options.reconnectPeriod = minMs;
  // Without a listener an 'error' (ECONNREFUSED while the broker restarts) would end the process. While
  // the broker is down only the first failed attempt is logged: the return line counts the others.
  client.on('error', (error) => {
    if (!lost || attempts <= 1) options.log?.(`mqtt: ${name}: ${error.message}`);
  });
  client.on('close', () => {
    if (!lost && !client.disconnecting) options.log?.(`mqtt: ${name}: connection lost; reconnecting`);
    lost = true;
  });
  // mqtt.js reads reconnectPeriod when it schedules the next attempt, after this attempt fails.
  client.on('reconnect', () => {
    attempts++;
    const ceiling = doubledDelay(minMs, attempts, maxMs);
    client.options.reconnectPeriod = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  });
  client.on('connect', () => {
    client.options.reconnectPeriod = minMs;
    if (!lost) return;
    lost = false;
    reconnects++;
    options.log?.(`mqtt: ${name} reconnected after ${attempts} attempt(s) (reconnect #${reconnects})`);
    attempts = 0;
    for (const listener of listeners) listener(reconnects);
  });
  return {
    get reconnects() {
      return reconnects;
    },
    onReconnect(listener) {
      listeners.push(listener);
    },
  };
}

/**
 * A QoS 1 subscription of `filters` that mqtt.js sends even for filters it believes subscribed
 * (it skips those otherwise): after a reconnect the broker may have lost them (restart without
 * persistence; Mosquitto 2.0.11 restores persistent sessions without their $share subscriptions).
 */
export function forcedSubscription(filters: Iterable<string>): ISubscriptionMap {
  return Object.assign(Object.fromEntries([...filters].map((f) => [f, { qos: 1 }])), {
    resubscribe: true,
  }) as ISubscriptionMap;
}
