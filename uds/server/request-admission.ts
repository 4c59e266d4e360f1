// Which requests a UDS server takes while it is busy. It serves one request at a time, start to finish (its
// response is on the bus, or abandoned by ISO-TP at N_Bs when no flow control comes). A few requests that
// arrive meanwhile wait, for testers that send back-to-back requests without waiting (suppressed functional
// ones); beyond that a request is answered NRC 0x21 busyRepeatRequest, the optional first check of ISO 14229-1
// (figure 5), when that answer can go out at once, or else ignored, which a client sees as a P2 timeout and
// repeats. Waiting requests are dropped unserved when their testers have surely given up, since a late
// answer would be taken for the answer to their next request: after P2*server, and when the response they
// waited behind hung until N_Bs (no flow control; N_Bs exceeds P2client), so that a node that never sends
// flow control costs the others one N_Bs, not one per request it queued.
import type { ReceivedFormat } from '../isotp/frames.ts';

/** Requests that may wait while one is served. Small and fixed: memory stays bounded under any flood. */
export const MAX_QUEUED_REQUESTS = 2;

export interface IncomingRequest {
  request: Uint8Array;
  functional: boolean;
  /** How it arrived; its answers go out the same way. Undefined: the endpoint's own format. */
  format: ReceivedFormat | undefined;
  receivedAtMs: number;
  /** Told what was sent in answer (null: nothing). */
  done?: (sent: Uint8Array | null) => void;
}

/** What happens to a request that arrives. */
export type Admission = 'serve' | 'queue' | 'busy' | 'drop';

/** Requests the server did not serve, by reason. */
export interface RefusedRequests {
  /** Answered 0x21 busyRepeatRequest. */
  busy: number;
  /** Ignored: no room in the queue and no busy answer possible. */
  dropped: number;
  /** Dropped unserved: waited longer than P2*server, or behind a response that hung until N_Bs. */
  stale: number;
}

type Phase = { kind: 'idle' } | { kind: 'handling'; sid: number } | { kind: 'responding' };

export class RequestAdmission {
  private phase: Phase = { kind: 'idle' };
  private readonly waiting: IncomingRequest[] = [];
  private busyAnswerInFlight = false;
  readonly refused: RefusedRequests = { busy: 0, dropped: 0, stale: 0 };

  constructor(private readonly maxWaitMs: () => number) {}

  /** No request is being served (none handled, no response leaving). */
  get idle(): boolean {
    return this.phase.kind === 'idle';
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Decides for a request that has just arrived; a queued one is kept here until next() returns it.
   * The caller sends the busy answer (then reports it with busyAnswer()) and tells a dropped one. */
  arrive(incoming: IncomingRequest): Admission {
    if (this.phase.kind === 'idle') return 'serve';
    if (this.waiting.length < MAX_QUEUED_REQUESTS) {
      this.waiting.push(incoming);
      return 'queue';
    }
    // 0x21 only while the handler runs: during a response the answer would wait behind it (e.g. for a flow
    // control that never comes). Never with the SID in progress: that tester would take it for its own answer.
    const sid = incoming.request[0];
    if (this.phase.kind === 'handling' && this.phase.sid !== sid && !this.busyAnswerInFlight) {
      this.refused.busy++;
      return 'busy';
    }
    this.refused.dropped++;
    return 'drop';
  }

  /** The next queued request still worth serving (stale ones are dropped), or undefined. */
  next(nowMs: number): IncomingRequest | undefined {
    for (let r = this.waiting.shift(); r; r = this.waiting.shift()) {
      if (nowMs - r.receivedAtMs <= this.maxWaitMs()) return r;
      this.refused.stale++;
      r.done?.(null);
    }
    return undefined;
  }

  handling(sid: number): void {
    this.phase = { kind: 'handling', sid };
  }

  responding(): void {
    this.phase = { kind: 'responding' };
  }

  finished(): void {
    this.phase = { kind: 'idle' };
  }

  /** At most one busy answer is under way at a time, so a flood cannot fill the transmit queue. */
  busyAnswer(sending: Promise<unknown>): void {
    this.busyAnswerInFlight = true;
    void sending.finally(() => (this.busyAnswerInFlight = false));
  }

  /** Drops the waiting requests as stale (the response before them hung until N_Bs). */
  expireWaiting(): void {
    this.refused.stale += this.waiting.length;
    this.clear();
  }

  /** Empties the queue (closing); the waiting requests are told nothing was sent. */
  clear(): void {
    for (const r of this.waiting.splice(0)) r.done?.(null);
  }
}
