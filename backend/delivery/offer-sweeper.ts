import type { BrokerClient } from '../mqtt/broker-client.ts';
import { offerAgain } from './offers.ts';
import type { Db } from '../db/database.ts';

/**
 * Offers again to vehicles still `offered` longer than `ackTimeoutMs` after their offer: the
 * vehicle acknowledges an offer with its first progress report (which moves it on), so one still
 * waiting never got it (lost with a broker restart, or it was offline) or dropped it. Each vehicle
 * is re-offered at most once per timeout; the times are kept in memory (after a restart every
 * overdue vehicle is re-offered once at once, which a vehicle that has the offer ignores).
 */
export class OfferSweeper {
  readonly #lastOffer = new Map<string, number>();
  reoffered = 0;

  constructor(
    private readonly deps: { db: Db; broker: BrokerClient },
    private readonly ackTimeoutMs: number,
    private readonly batchSize: number,
  ) {}

  async sweep(now = Date.now()): Promise<number> {
    const rows = await this.deps.db
      .selectFrom('campaign_vehicles as cv')
      .innerJoin('campaigns as c', 'c.id', 'cv.campaign_id')
      .select(['cv.campaign_id', 'cv.vin', 'cv.attempt', 'c.deadline_at'])
      .where('c.state', '=', 'running')
      .where('cv.state', '=', 'offered')
      .where('cv.offered_at', '<', new Date(now - this.ackTimeoutMs))
      .orderBy('cv.offered_at')
      .limit(this.batchSize)
      .execute();
    const overdue = new Set(rows.map((r) => `${r.campaign_id}/${r.vin}`));
    // Forget vehicles that moved on since.
    for (const key of this.#lastOffer.keys()) if (!overdue.has(key)) this.#lastOffer.delete(key);
    const due = rows.filter((r) => now - (this.#lastOffer.get(`${r.campaign_id}/${r.vin}`) ?? 0) >= this.ackTimeoutMs);
    if (due.length === 0) return 0;
    const sent = await offerAgain(this.deps.broker, this.deps.db, due);
    for (const r of due) this.#lastOffer.set(`${r.campaign_id}/${r.vin}`, now);
    this.reoffered += sent;
    return sent;
  }
}
