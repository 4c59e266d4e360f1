// What a UDS server application registers: services with their declared conditions, and async handlers.

/** What a handler sees of the server state, and the two state changes services make. */
export interface RequestContext {
  readonly session: number;
  /** The unlocked security level (its requestSeed value, e.g. 0x11), 0 when locked. */
  readonly securityLevel: number;
  /** The request came on the functional address. */
  readonly functional: boolean;
  /** The suppressPosRspMsgIndicationBit was set (the framework then drops a positive response). */
  readonly suppressPositiveResponse: boolean;
  /** The sub-function without bit 7, for services declared with sub-functions; null otherwise. */
  readonly subFunction: number | null;
  /** Enters a session; security is locked again on every session change (ISO 14229-1). */
  setSession(session: number): void;
  setSecurityLevel(level: number): void;
}

/**
 * Receives the request (with the suppress bit cleared) and returns the complete positive response
 * (`SID + 0x40 ...`), or null to send nothing. Throws NegativeResponse (../nrc.ts) to answer with an NRC.
 */
export type ServiceHandler = (
  request: Uint8Array,
  ctx: RequestContext,
) => Promise<Uint8Array | null> | Uint8Array | null;

export interface SubFunctionRule {
  /** Sessions in which the sub-function is supported (NRC 0x7E otherwise); omitted: wherever the service is. */
  sessions?: readonly number[];
  /** Security levels any of which allows it (NRC 0x33 otherwise); omitted: no security needed. */
  securityLevels?: readonly number[];
}

export interface ServiceDefinition {
  sid: number;
  /** Sessions in which the service is supported (NRC 0x7F otherwise); omitted: all sessions. */
  sessions?: readonly number[];
  /** Security levels any of which allows the service (NRC 0x33 otherwise); omitted: no security needed. */
  securityLevels?: readonly number[];
  /** Minimum request length including the SID (NRC 0x13 below it). Default 1, or 2 with sub-functions. */
  minLength?: number;
  /** For services with a sub-function parameter: the supported sub-functions (bit 7 clear) and their rules. */
  subFunctions?: Readonly<Record<number, SubFunctionRule>>;
  handler: ServiceHandler;
}
