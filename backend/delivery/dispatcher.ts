import type { BlobStore } from '../blobs/store.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { publishImageRepository } from '../tuf-repo/image-repository.ts';
import { claimOffers } from './claim-offers.ts';
import { ensureWaveDeltas } from './delta-cache.ts';
import type { DeliveryLog } from './ingest/rejections.ts';
import { OfferSweeper } from './offer-sweeper.ts';
import { publishOffers } from './offers.ts';
import { paceBudget, recordOffers } from './dispatch-pace.ts';
import type { Db } from '../db/database.ts';
import { evaluateCampaign } from '../campaigns/waves.ts';
import { describeDecision } from './ingest/ingester.ts';

export interface DispatcherOptions {
  /** How often the dispatcher looks for work. */
  tickMs?: number;
  /** Most vehicles claimed and published in one batch. */
  batchSize?: number;
  /**
   * A vehicle still `offered` this long after its offer (no progress report, its acknowledgement)
   * is offered again (OfferSweeper).
   */
  offerAckTimeoutMs?: number;
}

/** How often the Image repository's online roles are checked for re-signing. */
const IMAGE_REFRESH_MS = 10 * 60_000;

/**
 * Sends offers for every started wave of every running campaign, paced by the campaign's
 * vehicles-per-minute across every backend instance (dispatch-pace.ts: the budget is taken in the
 * transaction of the claim), in batches claimed set-based in SQL.
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
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastEvaluation = 0;
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
    this.#batchSize = options.batchSize ?? 1000;
    this.sweeper = new OfferSweeper(deps, options.offerAckTimeoutMs ?? 120_000, this.#batchSize);
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One dispatch pass; concurrent calls share the pass in progress. */
  tick(): Promise<void> {
    this.#running ??= this.#pass()
      .catch((error: unknown) => this.#log(`delivery: dispatch failed: ${(error as Error).message}`))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #evaluate(): Promise<void> {
    this.#lastEvaluation = Date.now();
    const running = await this.#db.selectFrom('campaigns').select('id').where('state', '=', 'running').execute();
    for (const { id } of running) {
      const decision = await evaluateCampaign(this.#db, id);
      if (decision.action !== 'none') this.#log(`delivery: campaign ${id}: ${describeDecision(decision)}`);
    }
  }

  /** Re-signs the Image repository if anything changed or is due; a failure is logged, not thrown. */
  async #publishImages(): Promise<void> {
    await publishImageRepository(this.#db, this.#keys).catch((error: unknown) =>
      this.#log(`delivery: cannot re-sign the Image repository: ${(error as Error).message}`),
    );
  }

  async #pass(): Promise<void> {
    // Soak times pass without any report arriving: let the rollout rules start due waves (once a second),
    // and offers nobody acknowledged are sent again.
    if (Date.now() - this.#lastEvaluation >= 1000) {
      await this.#evaluate();
      const reoffered = await this.sweeper.sweep();
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
    for (const wave of rows) {
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

  /** Claims and publishes batches of the wave while the campaign's global pace allows. */
  async #dispatchWave(wave: {
    id: number;
    wave_no: number;
    pacing_per_minute: number;
    deadline_at: Date | null;
  }): Promise<void> {
    const key = `${wave.id}/${wave.wave_no}`;
    for (;;) {
      const afterVin = this.#cursors.get(key) ?? '';
      // Publish, then record: the claim (and its share of the pace) commits only once the broker has
      // every offer; a failed publish rolls it back and the vehicles stay pending for the next pass.
      const { claimed, limit } = await this.#db.transaction().execute(async (trx) => {
        const budget = await paceBudget(trx, wave.id, wave.pacing_per_minute, this.#batchSize);
        if (budget.allowed === 0) return { claimed: [], limit: 0 };
        const vehicles = await claimOffers(trx, {
          campaignId: wave.id,
          waveNo: wave.wave_no,
          afterVin,
          limit: budget.allowed,
          now: budget.now,
        });
        await recordOffers(trx, wave.id, budget.now, vehicles.length);
        await publishOffers(
          this.#broker,
          trx,
          { id: wave.id, deadline: wave.deadline_at },
          vehicles.map((c) => c.vin),
        );
        return { claimed: vehicles, limit: budget.allowed };
      });
      this.offersSent += claimed.length;
      if (limit === 0) return;
      // Past the end: start over next time (vehicles outside their install window were skipped).
      this.#cursors.set(key, claimed.length < limit ? '' : claimed.at(-1)!.vin);
      if (claimed.length < limit) return;
    }
  }
}
