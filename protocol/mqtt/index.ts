// How both ends keep an MQTT session: reconnection with backoff and forced resubscription, and the
// outbox that repeats a message until the other end says it is stored.
export { doubledDelay, jittered } from './backoff.ts';
export { forcedSubscription, reconnectWithBackoff } from './reconnect-backoff.ts';
export type { ReconnectBackoffOptions, ReconnectCounter } from './reconnect-backoff.ts';
export {
  manifestKey,
  resultKey,
  securityEventKey,
  storedKey,
  UNTIL_STORED_DEFAULTS,
  UntilStored,
} from './until-stored.ts';
export type { StoredKind, StoredVerdict, UntilStoredOptions } from './until-stored.ts';
export * from './vehicle-link.ts';
