// A token bucket for security events: a burst passes, a flood is cut to the refill rate, and what was
// cut is counted so that one "events dropped" event reports it once tokens are back.

export interface RateLimitOptions {
  /** Events that pass at once (bucket size). Default 20. */
  burst?: number;
  /** Tokens added per minute. Default 60. */
  perMinute?: number;
}

export interface DroppedSummary {
  dropped: number;
  since: Date;
}

export class EventRateLimit {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #refilledAt: number;
  #dropped = 0;
  #since: Date | null = null;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => Date,
  ) {
    this.#burst = options.burst ?? 20;
    this.#perMs = (options.perMinute ?? 60) / 60_000;
    if (!(this.#burst >= 1) || !(this.#perMs > 0)) throw new RangeError('rate limit: burst >= 1 and perMinute > 0');
    this.#tokens = this.#burst;
    this.#refilledAt = now().getTime();
  }

  /** Events dropped and not yet reported. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True when the event may be recorded; otherwise it is counted as dropped. */
  take(): boolean {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    this.#dropped++;
    this.#since ??= this.now();
    return false;
  }

  /** Milliseconds until the next token (0 when one is there). */
  msUntilToken(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  /** What was dropped since the last call, if anything, and only once a token is back to report it. */
  takeDroppedSummary(): DroppedSummary | undefined {
    if (this.#dropped === 0 || this.#since === null) return undefined;
    this.#refill();
    if (this.#tokens < 1) return undefined;
    this.#tokens -= 1;
    const summary = { dropped: this.#dropped, since: this.#since };
    this.#dropped = 0;
    this.#since = null;
    return summary;
  }

  #refill(): void {
    const t = this.now().getTime();
    this.#tokens = Math.min(this.#burst, this.#tokens + (t - this.#refilledAt) * this.#perMs);
    this.#refilledAt = t;
  }
}
