/**
 * MQTT topic layout, versioned in the name: `ota/v1/vehicles/{vin}/{kind}`. One VIN per
 * subtree, so a broker ACL of `ota/v1/vehicles/%u/#` (certificate CN = VIN) isolates vehicles.
 */
import { VinSchema } from '../vin.ts';

export const PROTOCOL_VERSION = 'v1';
export const TOPIC_PREFIX = `ota/${PROTOCOL_VERSION}/vehicles`;

/** Every message kind, with who publishes it. */
export const MESSAGE_KINDS = {
  offer: 'backend',
  'metadata/request': 'vehicle',
  'metadata/response': 'backend',
  'chunks/request': 'vehicle',
  'chunks/data': 'backend',
  progress: 'vehicle',
  result: 'vehicle',
  manifest: 'vehicle',
  'security-event': 'vehicle',
  status: 'vehicle',
  stored: 'backend',
} as const satisfies Record<string, 'backend' | 'vehicle'>;

export type MessageKind = keyof typeof MESSAGE_KINDS;

export function isMessageKind(value: string): value is MessageKind {
  return Object.hasOwn(MESSAGE_KINDS, value);
}

/** The topic of one vehicle's message of `kind`; throws on an invalid VIN (it would break the ACL). */
export function vehicleTopic(vin: string, kind: MessageKind): string {
  const parsed = VinSchema.safeParse(vin);
  if (!parsed.success) throw new TypeError(`invalid VIN ${JSON.stringify(vin)} in topic`);
  return `${TOPIC_PREFIX}/${vin}/${kind}`;
}

/** VIN and kind of a topic of this protocol version, or undefined for any other topic. */
export function parseVehicleTopic(topic: string): { vin: string; kind: MessageKind } | undefined {
  if (!topic.startsWith(`${TOPIC_PREFIX}/`)) return undefined;
  const rest = topic.slice(TOPIC_PREFIX.length + 1);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const vin = rest.slice(0, slash);
  const kind = rest.slice(slash + 1);
  return VinSchema.safeParse(vin).success && isMessageKind(kind) ? { vin, kind } : undefined;
}

/** Subscription filter for `kind` of one vehicle, or of all vehicles (`+`) for the backend. */
export function subscriptionFilter(kind: MessageKind, vin?: string): string {
  return vin === undefined ? `${TOPIC_PREFIX}/+/${kind}` : vehicleTopic(vin, kind);
}

/**
 * MQTT 5 shared subscription, so several backend instances split the vehicles' reports. Use
 * only when the broker speaks MQTT 5 (aedes does not: it would match the name literally).
 */
export function sharedSubscriptionFilter(group: string, filter: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(group))
    throw new TypeError(`invalid shared subscription group ${JSON.stringify(group)}`);
  return `$share/${group}/${filter}`;
}
