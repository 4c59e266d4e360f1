// The vehicle side of the end-to-end acknowledgement: each result and manifest is resent, with
// backoff, until the backend confirms on `stored` that it committed it (or refused it for good).
// A broker that accepted a publish may still lose it (restart without persistence, a backend
// crash before its commit): only the backend's confirmation ends the vehicle's responsibility.
// Once the broker acknowledged a message it holds it for the backend, which may be behind (a fleet
// that finished an update together): the next resend then waits longer, spread by jitter, so a queue
// longer than a few seconds does not make every vehicle send its report again and again.
import type { MessagePayload } from '../messages/payloads.ts';
import { doubledDelay, jittered } from './backoff.ts';

type Stored = MessagePayload<'stored'>;
export type StoredKind = Stored['kind'];
export type StoredVerdict = Stored['status'];

export interface UntilStoredOptions {
  /** First resend delay (ms) while the broker has not acknowledged the publish, doubled per resend up to maxMs. */
  minMs?: number;
  /** First resend delay (ms) once the broker acknowledged it, doubled per resend up to maxMs. */
  ackedMs?: number;
  maxMs?: number;
  /** Each delay is spread by up to this fraction either way (0 to 1). */
  jitter?: number;
  /** Uniform in [0, 1): the jitter's source (Math.random). */
  random?: () => number;
  log?: (line: string) => void;
}

/** The defaults: 5 s while unacknowledged, 60 s once the broker has it, at most 300 s, ±20 %. */
export const UNTIL_STORED_DEFAULTS = { minMs: 5000, ackedMs: 60_000, maxMs: 300_000, jitter: 0.2 } as const;

interface Pending {
  readonly kind: StoredKind;
  readonly payload: Uint8Array;
  resends: number;
  timer: NodeJS.Timeout | undefined;
  readonly resolve: (verdict: StoredVerdict) => void;
}

/** The key a confirmation names: a result by campaign and result id, a manifest or security event by its counter. */
export function storedKey(message: Stored): string {
  switch (message.kind) {
    case 'result':
      return resultKey(message.campaignId, message.resultId);
    case 'manifest':
      return manifestKey(message.counter);
    case 'security-event':
      return securityEventKey(message.counter);
  }
}

export function resultKey(campaignId: string, resultId: string): string {
  return `result/${campaignId}/${resultId}`;
}

export function manifestKey(counter: number): string {
  return `manifest/${counter}`;
}

export function securityEventKey(counter: number): string {
  return `security-event/${counter}`;
}

export class UntilStored {
  readonly #pending = new Map<string, Pending>();
  readonly #minMs: number;
  readonly #ackedMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #stopped = false;
  /** Resends so far (for tests and a metric). */
  resends = 0;

  constructor(
    private readonly publish: (kind: StoredKind, payload: Uint8Array) => Promise<void>,
    private readonly options: UntilStoredOptions = {},
  ) {
    this.#minMs = options.minMs ?? UNTIL_STORED_DEFAULTS.minMs;
    this.#ackedMs = options.ackedMs ?? UNTIL_STORED_DEFAULTS.ackedMs;
    this.#maxMs = options.maxMs ?? UNTIL_STORED_DEFAULTS.maxMs;
    this.#jitter = options.jitter ?? UNTIL_STORED_DEFAULTS.jitter;
    this.#random = options.random ?? Math.random;
    if (!(this.#jitter >= 0 && this.#jitter <= 1))
      throw new RangeError(`jitter must be from 0 to 1, got ${this.#jitter}`);
  }

  /** Messages sent and not yet confirmed. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Publishes `payload` and keeps resending it until confirmed; resolves with the backend's
   * verdict. A newer manifest replaces an unconfirmed older one (it supersedes it).
   */
  send(kind: StoredKind, key: string, payload: Uint8Array): Promise<StoredVerdict> {
    if (kind === 'manifest') {
      for (const [k, p] of this.#pending) if (p.kind === 'manifest' && k !== key) this.#settle(k, 'stored');
    }
    return new Promise((resolve) => {
      this.#pending.get(key)?.resolve('stored');
      const entry: Pending = { kind, payload, resends: 0, timer: undefined, resolve };
      this.#pending.set(key, entry);
      this.#attempt(key, entry);
    });
  }

  /** A `stored` message from the backend; one for nothing pending (a duplicate) is ignored. */
  confirm(message: Stored): void {
    this.#settle(storedKey(message), message.status);
  }

  /** Stops resending (the vehicle shuts down; what is unconfirmed is sent again after its restart). */
  stop(): void {
    this.#stopped = true;
    for (const entry of this.#pending.values()) clearTimeout(entry.timer);
  }

  #attempt(key: string, entry: Pending): void {
    if (this.#stopped) return;
    const attempt = entry.resends;
    this.#schedule(key, entry, this.#minMs);
    this.publish(entry.kind, entry.payload).then(
      () => {
        // Acknowledged by the broker: wait longer, unless confirmed, stopped or resent meanwhile.
        if (!this.#stopped && this.#pending.get(key) === entry && entry.resends === attempt)
          this.#schedule(key, entry, this.#ackedMs);
      },
      (error: unknown) => this.options.log?.(`sending ${key} failed, will resend: ${(error as Error).message}`),
    );
  }

  /** The next resend of `entry`, `firstMs` doubled per resend so far, capped, jittered. */
  #schedule(key: string, entry: Pending, firstMs: number): void {
    clearTimeout(entry.timer);
    const delay = jittered(doubledDelay(firstMs, entry.resends, this.#maxMs), this.#jitter, this.#random);
    entry.timer = setTimeout(() => {
      if (this.#pending.get(key) !== entry) return;
      entry.resends++;
      this.resends++;
      this.#attempt(key, entry);
    }, delay);
  }

  #settle(key: string, verdict: StoredVerdict): void {
    const entry = this.#pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#pending.delete(key);
    entry.resolve(verdict);
  }
}
