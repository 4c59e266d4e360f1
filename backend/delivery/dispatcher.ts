import type { BlobStore } from '../blobs/store.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { publishImageRepository } from '../tuf-repo/image-repository.ts';
import { claimOffers } from './claim-offers.ts';
import type { ClaimedOffer } from './claim-offers.ts';
import { ensureWaveDeltas } from './delta-cache.ts';
import type { DeliveryLog } from './ingest/rejections.ts';
import { OfferSweeper } from './offer-sweeper.ts';
import { publishOffers } from './offers.ts';
import { reserveOffers, returnOffers } from './dispatch-pace.ts';
import type { PaceBudget } from './dispatch-pace.ts';
import { dispatchWindow } from './offer-window.ts';
import type { OfferWindow } from './offer-window.ts';
import type { Db } from '../db/database.ts';
import { countIn, vehicleCounts } from '../campaigns/vehicle-counts.ts';

export interface DispatcherOptions {
  /** How often the dispatcher looks for work. */
  tickMs?: number;
  /** Most vehicles claimed and published in one batch (at most half the offer window, so two batches overlap). */
  batchSize?: number;
  /**
   * A vehicle still `offered` this long after its offer (no progress report, its acknowledgement)
   * is offered again (OfferSweeper).
   */
  offerAckTimeoutMs?: number;
  /** Most offers claimed and not yet acknowledged by the broker (published while the next batch is claimed). */
  maxInFlightOffers?: number;
}

/** A started wave of a running campaign, as the dispatcher reads it. */
interface Wave {
  readonly id: number;
  readonly wave_no: number;
  readonly pacing_per_minute: number;
  readonly deadline_at: Date | null;
}

/** How often the Image repository's online roles are checked for re-signing. */
const IMAGE_REFRESH_MS = 10 * 60_000;

/**
 * Sends offers for every started wave of every running campaign, paced by the campaign's
 * vehicles-per-minute across every backend instance (dispatch-pace.ts: reserved before each claim),
 * in batches claimed set-based in SQL and committed before their offers are published.
 */
export class Dispatcher {
  readonly #db: Db;
  readonly #broker: BrokerClient;
  readonly #blobs: BlobStore;
  readonly #keys: KeySet;
  readonly #log: DeliveryLog;
  readonly #tickMs: number;
  readonly #batchSize: number;
  /** Per wave: the VIN the next claim starts after (keyset cursor). */
  readonly #cursors = new Map<string, string>();
  readonly #deltasReady = new Set<string>();
  readonly #window: OfferWindow;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastSweep = 0;
  readonly sweeper: OfferSweeper;
  #lastImageRefresh = Date.now();
  offersSent = 0;

  constructor(
    deps: { db: Db; broker: BrokerClient; blobs: BlobStore; keys: KeySet; log: DeliveryLog },
    options: DispatcherOptions = {},
  ) {
    this.#db = deps.db;
    this.#broker = deps.broker;
    this.#blobs = deps.blobs;
    this.#keys = deps.keys;
    this.#log = deps.log;
    this.#tickMs = options.tickMs ?? 250;
    const { window, batchSize } = dispatchWindow(options.maxInFlightOffers, options.batchSize);
    this.#window = window;
    this.#batchSize = batchSize;
    this.sweeper = new OfferSweeper(deps, options.offerAckTimeoutMs ?? 120_000, this.#batchSize);
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#window.drain();
  }

  /** One dispatch pass; concurrent calls share the pass in progress. */
  tick(): Promise<void> {
    // A pass ends once the offers it claimed are published (each batch overlapping the next claim).
    this.#running ??= this.#pass()
      .finally(() => this.#window.drain())
      .catch((error: unknown) => this.#log(`delivery: dispatch failed: ${(error as Error).message}`))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Re-signs the Image repository if anything changed or is due; a failure is logged, not thrown. */
  async #publishImages(): Promise<void> {
    await publishImageRepository(this.#db, this.#keys).catch((error: unknown) =>
      this.#log(`delivery: cannot re-sign the Image repository: ${(error as Error).message}`),
    );
  }

  async #pass(): Promise<void> {
    // Offers nobody acknowledged are sent again (once a second). The rollout rules run in the
    // RolloutEvaluator (campaigns/rollout-evaluator.ts), not here.
    if (Date.now() - this.#lastSweep >= 1000) {
      this.#lastSweep = Date.now();
      // A failed sweep must not hold up new offers: it is tried again in a second.
      const reoffered = await this.sweeper.sweep().catch((error: unknown) => {
        this.#log(`delivery: offering again failed: ${(error as Error).message} (tried again next pass)`);
        return 0;
      });
      if (reoffered > 0) this.#log(`delivery: offered again to ${reoffered} vehicles that did not acknowledge`);
    }
    // Snapshot and timestamp are re-signed before they expire, even when nothing else changes.
    if (Date.now() - this.#lastImageRefresh >= IMAGE_REFRESH_MS) {
      this.#lastImageRefresh = Date.now();
      await this.#publishImages();
    }
    const rows = await this.#db
      .selectFrom('campaigns as c')
      .innerJoin('campaign_waves as w', 'w.campaign_id', 'c.id')
      .select(['c.id', 'c.pacing_per_minute', 'c.deadline_at', 'w.wave_no'])
      .where('c.state', '=', 'running')
      .where('w.started_at', 'is not', null)
      .orderBy('c.id')
      .orderBy('w.wave_no')
      .execute();
    // A wave with no vehicle pending is skipped: a claim would walk all of its vehicles to find none.
    const pending = await vehicleCounts(this.#db, [...new Set(rows.map((w) => w.id))]);
    for (const wave of rows) {
      const mine = pending.filter((c) => c.campaignId === wave.id && c.waveNo === wave.wave_no);
      if (countIn(mine, ['pending']) === 0) continue;
      await this.#prepareWave(wave.id, wave.wave_no);
      await this.#dispatchWave(wave);
    }
  }

  /** Once per wave and process: the Image repository and the wave's delta packages before its first offer. */
  async #prepareWave(campaignId: number, waveNo: number): Promise<void> {
    const key = `${campaignId}/${waveNo}`;
    if (this.#deltasReady.has(key)) return;
    // The campaign's releases must be in the Image repository before any vehicle asks for metadata.
    // A no-op when nothing changed; fails (logged) when the offline targets key is not present.
    await this.#publishImages();
    const deltas = await ensureWaveDeltas(this.#db, this.#blobs, campaignId, waveNo);
    if (deltas.created > 0 || deltas.baseUnknown > 0) {
      this.#log(
        `delivery: campaign ${campaignId} wave ${waveNo}: ${deltas.created} delta packages built, ${deltas.baseUnknown} bases unknown (full image)`,
      );
    }
    this.#deltasReady.add(key);
  }

  /**
   * Claims batches of the wave while the campaign's global pace and the offer window allow; each batch
   * is published while the next is claimed. Returns when the pace is used up or no vehicle is left.
   */
  async #dispatchWave(wave: Wave): Promise<void> {
    const key = `${wave.id}/${wave.wave_no}`;
    for (;;) {
      await this.#window.waitForRoom();
      const want = Math.min(this.#batchSize, this.#window.room);
      const budget = await reserveOffers(this.#db, wave.id, wave.pacing_per_minute, want);
      if (budget.allowed === 0) return;
      const claimed = await this.#claimAndPublish(wave, this.#cursors.get(key) ?? '', budget);
      // Past the end: start over next time (vehicles outside their install window were skipped).
      this.#cursors.set(key, claimed.length < budget.allowed ? '' : claimed.at(-1)!.vin);
      if (claimed.length < budget.allowed) return;
    }
  }

  /**
   * Claims up to the reserved number of vehicles (they are `offered` once the claim's statement
   * commits) and resolves with them; their offers are published after that, in the window, with no
   * transaction open: a vehicle can only answer an offer its row already shows. Reserved offers not
   * claimed go back to the campaign's pace. While the broker is unreachable nothing is claimed.
   */
  async #claimAndPublish(wave: Wave, afterVin: string, budget: PaceBudget): Promise<readonly ClaimedOffer[]> {
    let vehicles: ClaimedOffer[] = [];
    try {
      if (!this.#broker.mqtt.connected) throw new Error('cannot publish offers: not connected to the broker');
      // One statement: the claim, the state moves and their events commit together.
      vehicles = await claimOffers(this.#db, {
        campaignId: wave.id,
        waveNo: wave.wave_no,
        afterVin,
        limit: budget.allowed,
        now: budget.now,
      });
    } catch (error) {
      this.#cursors.delete(`${wave.id}/${wave.wave_no}`);
      this.#log(`delivery: dispatch failed: campaign ${wave.id}: ${(error as Error).message} (offered later)`);
    }
    await returnOffers(this.#db, wave.id, budget.now, budget.allowed - vehicles.length).catch((error: unknown) =>
      this.#log(`delivery: cannot return unused pace: ${(error as Error).message}`),
    );
    if (vehicles.length > 0) this.#window.track(vehicles.length, this.#publish(wave, vehicles));
    return vehicles;
  }

  /**
   * Publishes the offers of claimed vehicles. A failure leaves them `offered` (their pace spent):
   * the OfferSweeper sends the offers again once they are overdue. They are not put back to pending:
   * a failed batch does not tell which offers reached the broker, and a vehicle that got one may be
   * reporting already (a vehicle ignores an offer it has).
   */
  #publish(wave: Wave, vehicles: readonly ClaimedOffer[]): Promise<void> {
    return publishOffers(this.#broker, this.#db, { id: wave.id, deadline: wave.deadline_at }, vehicles).then(
      (sent) => {
        this.offersSent += sent;
      },
      (error: unknown) =>
        this.#log(
          `delivery: offers to ${vehicles.length} vehicles of campaign ${wave.id} failed: ${(error as Error).message} (the offer sweeper sends them again)`,
        ),
    );
  }
}
