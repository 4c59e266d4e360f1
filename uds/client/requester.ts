// The request/response engine of the UDS client (ISO 14229-1 tester side) over an ISO-TP endpoint: one request at a time, P2/P2* timing taken
// from the DiagnosticSessionControl response, responsePending (0x78) handling, automatic TesterPresent in
// non-default sessions, and late-answer-safe matching (a response counts only for the pending request's SID).
import type { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { IsoTpSequenceError, IsoTpTimeoutError, type IsoTpError } from '../isotp/errors.ts';
import { PeerTimeout } from '../isotp/peer-timeout.ts';
import { NRC, NegativeResponseError } from '../nrc.ts';
import { POSITIVE_RESPONSE_OFFSET, SUPPRESS_POSITIVE_RESPONSE } from '../services/common.ts';
import { SERVICES_WITH_SUB_FUNCTION, SID } from '../services/sid.ts';
import {
  DiagnosticSession,
  decodeDiagnosticSessionControlResponse,
  type SessionTiming,
} from '../services/diagnostic-session-control.ts';
import { decodeNegativeResponse } from '../services/negative-response.ts';
import { encodeTesterPresentRequest } from '../services/tester-present.ts';
import { UdsClientClosedError, UdsTimeoutError } from './errors.ts';

export interface UdsClientOptions {
  /** Endpoint for functional requests (single frames; answers arrive on the physical endpoint). */
  functional?: IsoTpEndpoint;
  /** Server timing assumed until a DiagnosticSessionControl response reports it. Default 50 / 5000 ms. */
  initialTiming?: SessionTiming;
  /** Added to P2server / P2*server for transport and scheduling delays (P2client = P2server + margin). Default 250 ms. */
  timingMarginMs?: number;
  /** TesterPresent period while in a non-default session; 0 disables the automatic TesterPresent. Default 2000. */
  testerPresentIntervalMs?: number;
  /** Repetitions of a request answered 0x21 busyRepeatRequest (ISO 14229-1: the client repeats it). Default 3. */
  busyRepeats?: number;
  /** Delay before each such repetition. Default P2server. */
  busyRepeatDelayMs?: number;
  /**
   * Repetitions of a multi-frame request whose transmission failed with N_Bs (the server sent no flow control
   * for a block, e.g. it abandoned the reception on N_Cr or lost frames). The server cannot have the whole
   * request then, so sending it again is safe for every service. Default 2.
   */
  undeliveredRepeats?: number;
}

export interface RequestOptions {
  /** Set the suppressPosRspMsgIndicationBit (services with a sub-function). Resolves null once sent. */
  suppressPositiveResponse?: boolean;
  /** Send on the functional endpoint. */
  functional?: boolean;
}

interface Pending {
  sid: number;
  resolve: (response: Uint8Array) => void;
  reject: (err: Error) => void;
  /** P2client / P2*client: the server's silence, so a response already waiting to be read still wins. */
  timer: PeerTimeout;
  responsePending: boolean;
  /** A multi-frame answer has started to arrive (its first frame came). */
  receiving: boolean;
}

export class UdsRequester {
  private timing: SessionTiming;
  private readonly margin: number;
  private readonly testerPresentIntervalMs: number;
  private chain: Promise<unknown> = Promise.resolve();
  private pending: Pending | null = null;
  private testerPresentTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribes: (() => void)[];
  private closed = false;
  private inFlight = 0;
  /** The session the last positive DiagnosticSessionControl (or ECUReset) left the server in. */
  session: number = DiagnosticSession.default;
  /** Responses that matched no pending request (late answers after a timeout, foreign SIDs). */
  discardedResponses = 0;

  constructor(
    protected readonly physical: IsoTpEndpoint,
    protected readonly options: UdsClientOptions = {},
  ) {
    this.timing = options.initialTiming ?? { p2ServerMs: 50, p2StarServerMs: 5000 };
    this.margin = options.timingMarginMs ?? 250;
    this.testerPresentIntervalMs = options.testerPresentIntervalMs ?? 2000;
    this.unsubscribes = [
      physical.onMessage((message) => this.onResponse(message)),
      // A multi-frame answer has started: give it P2* to complete instead of P2 (ISO-TP's N_Cr guards the frames).
      physical.onFirstFrame(() => {
        if (!this.pending) return;
        this.pending.receiving = true;
        this.armTimer(this.pending, this.timing.p2StarServerMs + this.margin);
      }),
      physical.onError((err) => this.onReceptionError(err)),
    ];
  }

  /** P2/P2* currently in force (server values; the client adds its margin). */
  get serverTiming(): SessionTiming {
    return { ...this.timing };
  }

  /**
   * Sends a raw request and resolves with the positive response, or null when the positive response is
   * suppressed (bit 7 of the sub-function set). Rejects with NegativeResponseError or UdsTimeoutError.
   */
  request(request: Uint8Array, options: { functional?: boolean } = {}): Promise<Uint8Array | null> {
    if (request.length === 0) return Promise.reject(new RangeError('a UDS request has at least a SID'));
    const run = this.chain.then(() => this.exchangeWithRepeats(request, options.functional ?? false));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async exchangeWithRepeats(request: Uint8Array, functional: boolean): Promise<Uint8Array | null> {
    const busyRepeats = this.options.busyRepeats ?? 3;
    const undeliveredRepeats = this.options.undeliveredRepeats ?? 2;
    for (let busy = 0, undelivered = 0; ;) {
      try {
        return await this.exchange(request, functional);
      } catch (err) {
        if (this.closed) throw err;
        if (err instanceof IsoTpTimeoutError && err.timer === 'N_Bs' && undelivered < undeliveredRepeats) {
          undelivered++;
          continue; // the server discarded the partial request; its N_Cr has passed or the new first frame resets it
        }
        if (!(err instanceof NegativeResponseError && err.nrc === NRC.busyRepeatRequest) || busy >= busyRepeats)
          throw err;
        busy++;
      }
      const delayMs = this.options.busyRepeatDelayMs ?? this.timing.p2ServerMs;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  private async exchange(request: Uint8Array, functional: boolean): Promise<Uint8Array | null> {
    if (this.closed) throw new UdsClientClosedError('UDS client is closed');
    const sid = request[0] as number;
    const suppressed = SERVICES_WITH_SUB_FUNCTION.has(sid) && ((request[1] ?? 0) & SUPPRESS_POSITIVE_RESPONSE) !== 0;
    const endpoint = functional ? this.options.functional : this.physical;
    if (!endpoint) throw new Error('this UDS client has no functional endpoint');
    this.inFlight++;
    try {
      if (suppressed) {
        await endpoint.send(request);
        return null;
      }
      let settle: Pick<Pending, 'resolve' | 'reject'> | undefined;
      const response = new Promise<Uint8Array>((resolve, reject) => (settle = { resolve, reject }));
      const pending: Pending = {
        sid,
        ...(settle as Pick<Pending, 'resolve' | 'reject'>),
        timer: new PeerTimeout(),
        responsePending: false,
        receiving: false,
      };
      // close() may reject it while the request is still being sent, when nobody awaits it yet.
      response.catch(() => undefined);
      // Listening starts before the request goes out: a fast answer must find its request.
      this.pending = pending;
      try {
        await endpoint.send(request);
      } catch (err) {
        this.pending = null;
        throw err;
      }
      // P2client runs from the end of the request's transmission.
      if (this.pending === pending) this.armTimer(pending, this.timing.p2ServerMs + this.margin);
      return await response;
    } finally {
      this.inFlight--;
    }
  }

  private armTimer(pending: Pending, ms: number): void {
    pending.timer.start(ms, () => {
      if (this.pending !== pending) return;
      this.pending = null;
      pending.reject(new UdsTimeoutError(pending.sid, ms, pending.responsePending));
    });
  }

  /** A multi-frame answer abandoned by ISO-TP (N_Cr, N_Ar, wrong sequence) will not complete: fail now, not at P2*. */
  private onReceptionError(err: IsoTpError): void {
    const pending = this.pending;
    if (!pending?.receiving || this.physical.receiving) return;
    if (!(err instanceof IsoTpTimeoutError || err instanceof IsoTpSequenceError)) return;
    this.settle(pending);
    pending.reject(err);
  }

  private onResponse(message: Uint8Array): void {
    const pending = this.pending;
    if (!pending) {
      this.discardedResponses++;
      return;
    }
    const negative = decodeNegativeResponse(message);
    if (negative && negative.sid === pending.sid) {
      const { nrc } = negative;
      if (nrc === NRC.requestCorrectlyReceivedResponsePending) {
        pending.responsePending = true;
        this.armTimer(pending, this.timing.p2StarServerMs + this.margin);
        return;
      }
      this.settle(pending);
      pending.reject(new NegativeResponseError(pending.sid, nrc));
      return;
    }
    if (message[0] === pending.sid + POSITIVE_RESPONSE_OFFSET) {
      this.settle(pending);
      this.afterPositiveResponse(pending.sid, message);
      pending.resolve(message);
      return;
    }
    this.discardedResponses++;
  }

  private settle(pending: Pending): void {
    pending.timer.cancel();
    this.pending = null;
  }

  private afterPositiveResponse(sid: number, response: Uint8Array): void {
    if (sid === SID.DiagnosticSessionControl && response.length >= 6) {
      const { session, ...timing } = decodeDiagnosticSessionControlResponse(response);
      this.timing = timing;
      this.enteredSession(session);
    } else if (sid === SID.EcuReset) {
      this.enteredSession(DiagnosticSession.default);
    }
  }

  /** Called for positive session changes (also suppressed ones, by the service methods). */
  enteredSession(session: number): void {
    this.session = session;
    if (session === DiagnosticSession.default) this.stopTesterPresent();
    else if (this.testerPresentIntervalMs > 0) this.startTesterPresent();
  }

  /** Sends `3E 80` every interval while no other request is in progress (any request restarts S3 anyway). */
  startTesterPresent(intervalMs = this.testerPresentIntervalMs || 2000): void {
    if (this.closed) return;
    this.stopTesterPresent();
    this.testerPresentTimer = setInterval(() => {
      if (this.inFlight > 0 || this.closed) return;
      this.request(encodeTesterPresentRequest(true)).catch(() => undefined);
    }, intervalMs);
    this.testerPresentTimer.unref();
  }

  stopTesterPresent(): void {
    clearInterval(this.testerPresentTimer);
    this.testerPresentTimer = undefined;
  }

  get testerPresentActive(): boolean {
    return this.testerPresentTimer !== undefined;
  }

  /** Stops TesterPresent and fails a pending request; the endpoints stay open (the caller owns them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTesterPresent();
    for (const u of this.unsubscribes) u();
    const pending = this.pending;
    if (pending) {
      this.settle(pending);
      pending.reject(new UdsClientClosedError('UDS client closed while waiting for a response'));
    }
  }
}
