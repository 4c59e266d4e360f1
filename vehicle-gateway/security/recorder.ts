// Records the gateway's security events: rate-limited, numbered (counter above every earlier one, across
// restarts), signed with the vehicle key, journaled durably, then sent and resent until the backend confirms
// it stored the counter. Unconfirmed events from before a restart are sent again on start.
import {
  DEFAULT_SEVERITY,
  formatExpires,
  signSecurityEvent,
  type SecurityEvent,
  type SecuritySeverity,
  type Signer,
  type SignedSecurityEvent,
} from '@ota/protocol';
import type { StoredVerdict } from '@ota/protocol/mqtt';
import type { SecurityEventJournal } from './event-journal.ts';
import { EventRateLimit, type RateLimitOptions } from './rate-limit.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the gateway's parts report: the recorder adds VIN, counter and time (severity defaults per type). */
export type SecurityEventInput = DistributiveOmit<SecurityEvent, 'vin' | 'counter' | 'at' | 'severity'> & {
  severity?: SecuritySeverity;
};

export type SendSecurityEvent = (event: SignedSecurityEvent) => Promise<StoredVerdict>;

export interface SecurityEventRecorderOptions {
  vin: string;
  key: Signer;
  journal: SecurityEventJournal;
  send: SendSecurityEvent;
  now?: () => Date;
  log?: (line: string) => void;
  rateLimit?: RateLimitOptions;
}

export class SecurityEventRecorder {
  readonly #limit: EventRateLimit;
  #summaryTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly options: SecurityEventRecorderOptions) {
    this.#limit = new EventRateLimit(options.rateLimit ?? {}, () => this.#now());
  }

  /** Sends every event journaled and not yet confirmed (after a restart). */
  resendPending(): void {
    for (const event of this.options.journal.pending()) this.#send(event);
  }

  record(input: SecurityEventInput): void {
    if (this.#stopped) return;
    this.#flushDropped();
    if (!this.#limit.take()) {
      this.#scheduleSummary();
      return;
    }
    this.#append(input);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#summaryTimer);
  }

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }

  #append(input: SecurityEventInput): void {
    const { journal, key, vin } = this.options;
    const event = {
      ...input,
      severity: input.severity ?? DEFAULT_SEVERITY[input.type],
      vin,
      counter: journal.nextCounter(),
      at: formatExpires(this.#now()),
    } as SecurityEvent;
    const signed = signSecurityEvent(event, key);
    journal.append(signed);
    this.options.log?.(`security event ${event.counter}: ${event.type}: ${event.details}`);
    this.#send(signed);
  }

  #send(event: SignedSecurityEvent): void {
    this.options
      .send(event)
      .then((verdict) => {
        if (verdict === 'rejected')
          this.options.log?.(`security event ${event.signed.counter} rejected by the backend`);
        this.options.journal.markStored(event.signed.counter);
      })
      .catch((err: unknown) =>
        this.options.log?.(`security event ${event.signed.counter} not confirmed: ${(err as Error).message}`),
      );
  }

  /** The count of a flood is reported as soon as the bucket has a token again, even if nothing else comes. */
  #scheduleSummary(): void {
    if (this.#summaryTimer) return;
    this.#summaryTimer = setTimeout(() => {
      this.#summaryTimer = undefined;
      if (this.#stopped) return;
      this.#flushDropped();
      if (this.#limit.dropped > 0) this.#scheduleSummary();
    }, this.#limit.msUntilToken());
    this.#summaryTimer.unref();
  }

  #flushDropped(): void {
    const summary = this.#limit.takeDroppedSummary();
    if (!summary) return;
    this.#append({
      type: 'events_dropped',
      dropped: summary.dropped,
      since: formatExpires(summary.since),
      details: `rate limit: ${summary.dropped} security events dropped since ${formatExpires(summary.since)}`,
    });
  }
}
