/** Most batches of offers being published at once. */
export const MAX_BATCHES_IN_FLIGHT = 4;
/** Offers claimed and not yet acknowledged by the broker, unless configured (DELIVERY_MAX_INFLIGHT_OFFERS). */
export const DEFAULT_MAX_IN_FLIGHT_OFFERS = 5000;
/** Vehicles claimed and published in one batch, unless configured. */
const DEFAULT_BATCH_SIZE = 1000;

/**
 * A dispatcher's offer window for `maxInFlight` offers and the batch size it claims in: at most half
 * the window, since a batch as large as the window would leave no room to claim the next one while it
 * is published.
 */
export function dispatchWindow(
  maxInFlight = DEFAULT_MAX_IN_FLIGHT_OFFERS,
  batchSize = DEFAULT_BATCH_SIZE,
): { window: OfferWindow; batchSize: number } {
  return {
    window: new OfferWindow(maxInFlight, MAX_BATCHES_IN_FLIGHT),
    batchSize: Math.min(batchSize, Math.max(1, Math.ceil(maxInFlight / 2))),
  };
}

/**
 * The offers a dispatcher has claimed and is publishing, not yet acknowledged by the broker: at most
 * `maxOffers` of them in at most `maxBatches` batches (claimed and committed, waiting for the broker's
 * acknowledgements; no transaction is open meanwhile). Claiming the next batch overlaps publishing
 * the ones in flight; a full window makes the dispatcher wait for the oldest to finish.
 */
export class OfferWindow {
  #offers = 0;
  readonly #batches = new Set<Promise<void>>();

  constructor(
    readonly maxOffers: number,
    readonly maxBatches: number,
  ) {
    if (!(maxOffers >= 1 && maxBatches >= 1))
      throw new RangeError('OfferWindow: maxOffers and maxBatches must be >= 1');
  }

  /** Offers in flight. */
  get inFlight(): number {
    return this.#offers;
  }

  /** How many offers may be claimed now (0 when the window is full). */
  get room(): number {
    return this.#batches.size >= this.maxBatches ? 0 : Math.max(0, this.maxOffers - this.#offers);
  }

  /** Resolves once room > 0. */
  async waitForRoom(): Promise<void> {
    while (this.room === 0 && this.#batches.size > 0) await Promise.race(this.#batches);
  }

  /** Counts `offers` in flight until `published` settles (it must not reject). */
  track(offers: number, published: Promise<void>): void {
    this.#offers += offers;
    const done = published.finally(() => {
      this.#offers -= offers;
      this.#batches.delete(done);
    });
    this.#batches.add(done);
  }

  /** Resolves once every batch in flight settled. */
  async drain(): Promise<void> {
    while (this.#batches.size > 0) await Promise.allSettled([...this.#batches]);
  }
}
