// The vehicle side of the end-to-end acknowledgement: each result and manifest is resent, with
// backoff, until the backend confirms on `stored` that it committed it (or refused it for good).
// A broker that accepted a publish may still lose it (restart without persistence, a backend
// crash before its commit): only the backend's confirmation ends the vehicle's responsibility.
import type { MessagePayload } from '../messages/payloads.ts';

type Stored = MessagePayload<'stored'>;
export type StoredKind = Stored['kind'];
export type StoredVerdict = Stored['status'];

export interface UntilStoredOptions {
  /** First resend delay (ms), doubled per resend up to maxMs. */
  minMs?: number;
  maxMs?: number;
  log?: (line: string) => void;
}

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
  readonly #maxMs: number;
  #stopped = false;
  /** Resends so far (for tests and a metric). */
  resends = 0;

  constructor(
    private readonly publish: (kind: StoredKind, payload: Uint8Array) => Promise<void>,
    private readonly options: UntilStoredOptions = {},
  ) {
    this.#minMs = options.minMs ?? 5000;
    this.#maxMs = options.maxMs ?? 300_000;
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
    this.publish(entry.kind, entry.payload).catch((error: unknown) =>
      this.options.log?.(`sending ${key} failed, will resend: ${(error as Error).message}`),
    );
    const delay = Math.min(this.#maxMs, this.#minMs * 2 ** Math.min(entry.resends, 16));
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
