// UDS server framework (ISO 14229-1 server side): checks each request in the standard's order before
// its handler runs, keeps the session (with S3 fallback to default) and security state, honours the
// suppressPosRspMsgIndicationBit and the functional-addressing rules, and answers 0x78 responsePending
// on its own when a handler takes longer than P2. One request at a time; what it does with requests that
// arrive meanwhile (a short queue, 0x21 busyRepeatRequest, or ignored) is in ./request-admission.ts.
import type { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { IsoTpTimeoutError } from '../isotp/errors.ts';
import { PeerTimeout } from '../isotp/peer-timeout.ts';
import type { ReceivedFormat } from '../isotp/frames.ts';
import { NRC, NegativeResponse } from '../nrc.ts';
import { POSITIVE_RESPONSE_OFFSET, SUPPRESS_POSITIVE_RESPONSE } from '../services/common.ts';
import {
  DiagnosticSession,
  decodeDiagnosticSessionControlRequest,
  encodeDiagnosticSessionControlResponse,
} from '../services/diagnostic-session-control.ts';
import { encodeNegativeResponse } from '../services/negative-response.ts';
import { SID } from '../services/sid.ts';
import { decodeTesterPresentRequest, encodeTesterPresentResponse } from '../services/tester-present.ts';
import { RequestAdmission, type IncomingRequest, type RefusedRequests } from './request-admission.ts';
import type { RequestContext, ServiceDefinition } from './types.ts';

export interface UdsServerOptions {
  physical: IsoTpEndpoint;
  functional?: IsoTpEndpoint;
  /** Reported in the DiagnosticSessionControl response. Defaults 50 and 5000 ms. */
  p2ServerMs?: number;
  p2StarServerMs?: number;
  /** Non-default session falls back to default after this long without a request. Default 5000 ms. */
  s3ServerMs?: number;
  /** Sessions the built-in DiagnosticSessionControl accepts. Default default, programming, extended. */
  sessions?: readonly number[];
  /** When the first 0x78 goes out if the handler has not finished. Default 80 % of P2server. */
  responsePendingAfterMs?: number;
  /** Period of repeated 0x78 while the handler runs. Default 40 % of P2*server. */
  responsePendingIntervalMs?: number;
}

/** NRCs a server does not send for functionally addressed requests (ISO 14229-1, 7.5). */
const SUPPRESSED_ON_FUNCTIONAL: ReadonlySet<number> = new Set([
  NRC.serviceNotSupported,
  NRC.subFunctionNotSupported,
  NRC.requestOutOfRange,
  NRC.subFunctionNotSupportedInActiveSession,
  NRC.serviceNotSupportedInActiveSession,
]);

export type SessionChangeCause = 'request' | 's3Timeout' | 'application';

export class UdsServer {
  private readonly services = new Map<number, ServiceDefinition>();
  private readonly unsubscribes: (() => void)[] = [];
  private sessionListeners: ((session: number, cause: SessionChangeCause) => void)[] = [];
  private errorListeners: ((err: Error) => void)[] = [];
  private readonly admission = new RequestAdmission(() => this.p2StarServerMs);
  private serving: Promise<void> = Promise.resolve();
  /** Measures the tester's silence: a request already waiting to be read when it is due still wins. */
  private readonly s3Timer = new PeerTimeout({ unref: true });
  private closed = false;
  private _session: number = DiagnosticSession.default;
  private _securityLevel = 0;
  readonly p2ServerMs: number;
  readonly p2StarServerMs: number;
  readonly s3ServerMs: number;
  private readonly pendingAfterMs: number;
  private readonly pendingIntervalMs: number;

  constructor(private readonly options: UdsServerOptions) {
    this.p2ServerMs = options.p2ServerMs ?? 50;
    this.p2StarServerMs = options.p2StarServerMs ?? 5000;
    this.s3ServerMs = options.s3ServerMs ?? 5000;
    this.pendingAfterMs = options.responsePendingAfterMs ?? Math.floor(this.p2ServerMs * 0.8);
    this.pendingIntervalMs = options.responsePendingIntervalMs ?? Math.floor(this.p2StarServerMs * 0.4);
    const sessions = options.sessions ?? [
      DiagnosticSession.default,
      DiagnosticSession.programming,
      DiagnosticSession.extended,
    ];
    this.register({
      sid: SID.DiagnosticSessionControl,
      subFunctions: Object.fromEntries(sessions.map((s) => [s, {}])),
      handler: (request, ctx) => {
        const { session } = decodeDiagnosticSessionControlRequest(request);
        ctx.setSession(session);
        return encodeDiagnosticSessionControlResponse(session, {
          p2ServerMs: this.p2ServerMs,
          p2StarServerMs: this.p2StarServerMs,
        });
      },
    });
    this.register({
      sid: SID.TesterPresent,
      subFunctions: { 0x00: {} },
      handler: (request) => {
        decodeTesterPresentRequest(request);
        return encodeTesterPresentResponse();
      },
    });
    this.unsubscribes.push(options.physical.onMessage((m, format) => this.receive(m, false, format)));
    // S3 stops when a request starts arriving (its first frame, ISO 14229-2), not once all of it is in: a
    // long multi-frame request on a slow or loaded bus must not end the session. A reception that fails
    // restarts it, unless a request is being served (serving restarts it when done).
    this.unsubscribes.push(options.physical.onFirstFrame(() => this.s3Timer.cancel()));
    this.unsubscribes.push(options.physical.onError(() => this.admission.idle && this.restartS3()));
    if (options.functional) {
      this.unsubscribes.push(options.functional.onMessage((m, format) => this.receive(m, true, format)));
    }
  }

  /** Adds a service, or replaces one (including the built-in 0x10 and 0x3E). */
  register(definition: ServiceDefinition): this {
    if (
      !Number.isInteger(definition.sid) ||
      definition.sid < 0x10 ||
      definition.sid > 0xff ||
      definition.sid === 0x7f
    ) {
      throw new RangeError(`0x${definition.sid.toString(16)} is not a request service identifier`);
    }
    this.services.set(definition.sid, definition);
    return this;
  }

  /** The registered definition for a SID (e.g. to wrap its handler for fault injection). */
  service(sid: number): ServiceDefinition | undefined {
    return this.services.get(sid);
  }

  get session(): number {
    return this._session;
  }

  get securityLevel(): number {
    return this._securityLevel;
  }

  /** Session change by the application (e.g. after a reset); locks security like any session change. */
  setSession(session: number, cause: SessionChangeCause = 'application'): void {
    const changed = session !== this._session;
    this._session = session;
    if (changed || session !== DiagnosticSession.default) this._securityLevel = 0;
    this.restartS3();
    if (changed) for (const l of this.sessionListeners) l(session, cause);
  }

  setSecurityLevel(level: number): void {
    this._securityLevel = level;
  }

  onSessionChange(listener: (session: number, cause: SessionChangeCause) => void): () => void {
    this.sessionListeners = [...this.sessionListeners, listener];
    return () => (this.sessionListeners = this.sessionListeners.filter((l) => l !== listener));
  }

  /** Handler failures (answered 0x10 generalReject) and transmission failures. */
  onError(listener: (err: Error) => void): () => void {
    this.errorListeners = [...this.errorListeners, listener];
    return () => (this.errorListeners = this.errorListeners.filter((l) => l !== listener));
  }

  /**
   * Takes one request as if it had arrived (served, queued, answered busy or ignored like any other);
   * resolves with what was sent in answer (null: nothing). For tests.
   */
  handle(request: Uint8Array, functional: boolean, format?: ReceivedFormat): Promise<Uint8Array | null> {
    return new Promise((done) => this.receive(request, functional, format, done));
  }

  /** Requests waiting while one is served (at most MAX_QUEUED_REQUESTS). */
  get queuedRequests(): number {
    return this.admission.queued;
  }

  /** Requests not served because the server was busy, by reason. */
  get refusedRequests(): Readonly<RefusedRequests> {
    return { ...this.admission.refused };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.s3Timer.cancel();
    for (const u of this.unsubscribes) u();
    this.admission.clear();
    await this.serving;
  }

  private receive(
    request: Uint8Array,
    functional: boolean,
    format: ReceivedFormat | undefined,
    done?: (sent: Uint8Array | null) => void,
  ): void {
    if (this.closed) return done?.(null);
    this.s3Timer.cancel(); // S3 stops while a request is being handled
    const incoming: IncomingRequest = { request, functional, format, receivedAtMs: performance.now(), done };
    switch (this.admission.arrive(incoming)) {
      case 'serve':
        this.serving = this.serve(incoming);
        return;
      case 'busy': {
        const answer = encodeNegativeResponse(request[0] as number, NRC.busyRepeatRequest);
        this.admission.busyAnswer(this.transmit(answer, format));
        return done?.(answer);
      }
      case 'drop':
        return done?.(null);
      case 'queue':
        return; // served (or found stale) later
    }
  }

  /** Serves `first`, then the queued requests still fresh enough, one at a time; S3 restarts when idle. */
  private async serve(first: IncomingRequest): Promise<void> {
    for (let r: IncomingRequest | undefined = first; r; r = this.admission.next(performance.now())) {
      this.admission.handling(r.request[0] as number);
      let sent: Uint8Array | null = null;
      try {
        sent = await this.process(r.request, r.functional, r.format);
      } catch (err) {
        this.report(err instanceof Error ? err : new Error(String(err)));
      }
      r.done?.(sent);
    }
    this.admission.finished();
    this.restartS3();
  }

  private restartS3(): void {
    this.s3Timer.cancel();
    if (this.closed || this._session === DiagnosticSession.default) return;
    this.s3Timer.start(this.s3ServerMs, () => this.setSession(DiagnosticSession.default, 's3Timeout'));
  }

  /** `format`: how the request arrived; every answer to it goes out the same way (classical or CAN FD). */
  private async process(
    raw: Uint8Array,
    functional: boolean,
    format: ReceivedFormat | undefined,
  ): Promise<Uint8Array | null> {
    const sid = raw[0] as number;
    const definition = this.services.get(sid);
    const hasSubFunction = definition?.subFunctions !== undefined;
    const suppress = hasSubFunction && raw.length >= 2 && ((raw[1] as number) & SUPPRESS_POSITIVE_RESPONSE) !== 0;
    let pendingSent = false;
    let response: Uint8Array | null;
    try {
      const rejection = definition ? this.check(definition, raw) : NRC.serviceNotSupported;
      if (rejection !== null) throw new NegativeResponse(rejection);
      const def = definition as ServiceDefinition;
      const request = suppress ? Uint8Array.from(raw, (b, i) => (i === 1 ? b & 0x7f : b)) : raw;
      const ctx = this.context(functional, suppress, hasSubFunction ? (request[1] as number) : null);
      const result = await this.withResponsePending(
        sid,
        format,
        Promise.resolve().then(() => def.handler(request, ctx)),
        () => {
          pendingSent = true;
        },
      );
      // After a 0x78 the final response goes out even when suppressed (ISO 14229-1).
      response = result !== null && suppress && !pendingSent ? null : result;
      if (response !== null && response[0] !== sid + POSITIVE_RESPONSE_OFFSET) {
        throw new Error(
          `handler for 0x${sid.toString(16)} returned a response starting 0x${(response[0] ?? 0).toString(16)}`,
        );
      }
    } catch (err) {
      let nrc: number = NRC.generalReject;
      if (err instanceof NegativeResponse) nrc = err.nrc;
      else this.report(err instanceof Error ? err : new Error(String(err)));
      response = functional && SUPPRESSED_ON_FUNCTIONAL.has(nrc) ? null : encodeNegativeResponse(sid, nrc);
    }
    this.admission.responding();
    const failure = response === null ? null : await this.transmit(response, format);
    if (failure instanceof IsoTpTimeoutError && failure.timer === 'N_Bs') this.admission.expireWaiting();
    return response;
  }

  /** The framework's checks in ISO 14229-1 order (figures 5 and 6); returns the NRC or null. */
  private check(def: ServiceDefinition, raw: Uint8Array): number | null {
    if (def.sessions && !def.sessions.includes(this._session)) return NRC.serviceNotSupportedInActiveSession;
    if (def.securityLevels && !def.securityLevels.includes(this._securityLevel)) return NRC.securityAccessDenied;
    if (def.subFunctions) {
      if (raw.length < 2) return NRC.incorrectMessageLengthOrInvalidFormat;
      const rule = def.subFunctions[(raw[1] as number) & 0x7f];
      if (!rule) return NRC.subFunctionNotSupported;
      if (rule.sessions && !rule.sessions.includes(this._session)) return NRC.subFunctionNotSupportedInActiveSession;
      if (rule.securityLevels && !rule.securityLevels.includes(this._securityLevel)) return NRC.securityAccessDenied;
    }
    if (raw.length < (def.minLength ?? (def.subFunctions ? 2 : 1))) return NRC.incorrectMessageLengthOrInvalidFormat;
    return null;
  }

  private context(functional: boolean, suppressPositiveResponse: boolean, subFunction: number | null): RequestContext {
    const session = (): number => this._session;
    const securityLevel = (): number => this._securityLevel;
    return {
      get session() {
        return session();
      },
      get securityLevel() {
        return securityLevel();
      },
      functional,
      suppressPositiveResponse,
      subFunction,
      setSession: (s) => this.setSession(s, 'request'),
      setSecurityLevel: (level) => this.setSecurityLevel(level),
    };
  }

  /** Sends 0x78 when the handler runs past ~P2 and again every interval until it settles. */
  private async withResponsePending<T>(
    sid: number,
    format: ReceivedFormat | undefined,
    work: Promise<T>,
    onPending: () => void,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const sendPending = (): void => {
      onPending();
      void this.transmit(encodeNegativeResponse(sid, NRC.requestCorrectlyReceivedResponsePending), format);
      timer = setTimeout(sendPending, this.pendingIntervalMs);
    };
    timer = setTimeout(sendPending, this.pendingAfterMs);
    try {
      return await work;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends, reporting a failure (also returned: null when sent). */
  private async transmit(response: Uint8Array, format: ReceivedFormat | undefined): Promise<Error | null> {
    if (this.closed) return null;
    try {
      await this.options.physical.send(response, format);
      return null;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.report(error);
      return error;
    }
  }

  private report(err: Error): void {
    for (const l of this.errorListeners) {
      try {
        l(err);
      } catch {
        // nowhere further to report
      }
    }
  }
}
