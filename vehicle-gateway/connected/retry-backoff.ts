// Exponential backoff for re-reading ECUs that did not answer: the first wait, doubled after each further
// failure up to a ceiling, and back to the first wait after a success. CAN-local, so no jitter is needed.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export class RetryBackoff {
  private nextMs: number;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs, got ${options.initialMs} and ${options.maxMs}`);
    }
    this.nextMs = options.initialMs;
  }

  /** The wait before the next attempt; each call doubles the one after it (up to maxMs). */
  next(): number {
    const ms = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.options.maxMs);
    return ms;
  }

  reset(): void {
    this.nextMs = this.options.initialMs;
  }
}
