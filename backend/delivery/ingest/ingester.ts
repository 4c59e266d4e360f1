import { decodeMessage, encodeMessage, vehicleTopic } from '@ota/protocol/messages';
import type { MessagePayload } from '@ota/protocol/messages';
import type { Ack, BrokerClient } from '../../mqtt/broker-client.ts';
import { reofferOnline } from '../offers.ts';
import type { Db } from '../../db/database.ts';
import { applyManifests } from './apply-manifests.ts';
import { decodeBatch } from './decode-batch.ts';
import type { DecodedBatch } from './decode-batch.ts';
import { applyProgress } from './apply-progress.ts';
import { applyResults } from './apply-results.ts';
import { recordRejections } from './rejections.ts';
import { applySecurityEvents } from '../../security-events/ingest.ts';
import type { DeliveryLog, Rejection } from './rejections.ts';

export type ReportKind = 'progress' | 'result' | 'manifest' | 'security-event';

export interface InboundReport {
  readonly vin: string;
  readonly kind: ReportKind;
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Acknowledges the report to the broker: called only once it is committed. */
  readonly ack: Ack;
}

/**
 * Told of each report once its batch is committed: its kind and its ingest lag, the seconds from the moment
 * this backend received it from the broker to that commit (buffering, the write, retries while the
 * database is down). Not from the vehicle's own timestamp: a TCU's clock may be wrong, and a report a
 * vehicle resends after days offline would read as days of lag the backend never had.
 */
export type CommitListener = (kind: ReportKind, lagSeconds: number) => void;

export interface IngesterOptions {
  /** Longest a report waits in memory before its batch is written. */
  flushMs?: number;
  /**
   * A batch is written as soon as it holds this many reports, or half of maxBuffered if less: the
   * next batch is then received while one is written (the broker sends no more than maxBuffered).
   */
  maxBatch?: number;
  /**
   * Most reports held in memory, every kind counted (progress at QoS 0 too): with that many held,
   * reading from the broker pauses until a batch is committed, and the broker keeps the rest.
   */
  maxBuffered?: number;
}

/** Failed writes of a batch after which its reports are set aside and retried one by one. */
const SET_ASIDE_AFTER_FAILURES = 3;

/** Delay before write attempt `attempt` + 1: doubled from 200 ms up to 10 s, for as long as it fails. */
function retryDelay(attempt: number): number {
  return Math.min(10_000, 200 * 2 ** Math.min(attempt - 1, 10));
}

type Confirmation = MessagePayload<'stored'>;

/** Told, after their commit, of the campaigns whose vehicle counts a batch changed (to evaluate their rollout rules). */
export type CountsChangedListener = (campaignIds: readonly number[]) => void;

/**
 * Collects vehicles' reports and writes them in batches: manifests and security events verified, results
 * de-duplicated by report id, progress only ever forward; the campaigns whose counts changed are
 * handed to `countsChanged` after the commit (the rollout rules run elsewhere, never in this write
 * path). Only after the commit is each report acknowledged to the
 * broker and each result and manifest confirmed to its vehicle (`stored`), which resends it until
 * then; a batch that fails is retried with backoff, never dropped. drain() writes what is still in
 * memory (graceful stop).
 */
export class Ingester {
  #buffer: InboundReport[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Batches cut and not yet written (queued or being written). */
  #batchesInFlight = 0;
  #held = 0;
  #peak = 0;
  /** When each report held in memory arrived (performance.now()), for the ingest lag. */
  readonly #receivedAt = new WeakMap<InboundReport, number>();
  readonly #commitListeners = new Set<CommitListener>();
  /** Reports whose batch kept failing: retried alone, never dropped (and never acknowledged until stored). */
  readonly #setAside: InboundReport[] = [];
  #setAsideTimer: NodeJS.Timeout | undefined;
  #setAsideRounds = 0;
  readonly #flushMs: number;
  readonly #maxBatch: number;
  readonly #maxBuffered: number;
  /** Reads from the broker again once fewer than maxBuffered reports are held. */
  readonly #readOn: () => void;
  ingested = 0;
  rejected = 0;

  constructor(
    private readonly deps: {
      db: Db;
      /** Where the reports come from: reading pauses there while the ingester is full. */
      broker: Pick<BrokerClient, 'pauseReadingWhile'>;
      /** Where each stored report's `stored` confirmation goes. */
      replies: Pick<BrokerClient, 'publishAtMostOnce'>;
      /** Where offers go again to vehicles whose manifest shows them online and still pending. */
      offers: BrokerClient;
      log: DeliveryLog;
      countsChanged?: CountsChangedListener;
    },
    options: IngesterOptions = {},
  ) {
    this.#flushMs = options.flushMs ?? 50;
    this.#maxBuffered = options.maxBuffered ?? 20_000;
    this.#maxBatch = Math.max(1, Math.min(options.maxBatch ?? 2000, Math.ceil(this.#maxBuffered / 2)));
    // The admission bound: the one place that limits what this backend holds of the broker's messages.
    this.#readOn = deps.broker.pauseReadingWhile(() => this.#held >= this.#maxBuffered);
  }

  /** Reports received and not yet committed. */
  get pending(): number {
    return this.#held;
  }

  /** The most reports ever held at once (bounded by maxBuffered). */
  get peakPending(): number {
    return this.#peak;
  }

  /** Takes a report the broker handed over (the broker client pauses reading while maxBuffered are held). */
  push(report: InboundReport): void {
    this.#held++;
    this.#peak = Math.max(this.#peak, this.#held);
    this.#receivedAt.set(report, performance.now());
    this.#buffer.push(report);
    if (this.#buffer.length >= this.#maxBatch) void this.flush();
    else this.#timer ??= setTimeout(() => this.#flushWhenIdle(), this.#flushMs);
  }

  /** Calls `listener` for every report committed from now on; returns the call that stops it. */
  onCommitted(listener: CommitListener): () => void {
    this.#commitListeners.add(listener);
    return () => this.#commitListeners.delete(listener);
  }

  /** Writes everything received so far; batches are written one after another, in arrival order. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    if (batch.length === 0) return this.#writing;
    this.#batchesInFlight++;
    this.#writing = this.#writing
      .then(() => this.#writeOrRetry(batch))
      .finally(() => {
        this.#batchesInFlight--;
        this.#flushWhenIdle();
      });
    return this.#writing;
  }

  /**
   * Group commit: while a batch is being written, what arrives waits and is written as one batch
   * after it (up to maxBatch), so the slower the database, the larger and cheaper per report the batches.
   */
  #flushWhenIdle(): void {
    if (this.#batchesInFlight === 0 && this.#buffer.length > 0) void this.flush();
  }

  async #writeOrRetry(batch: readonly InboundReport[], attempt = 1): Promise<void> {
    try {
      this.#done(batch, await this.#write(batch));
    } catch (error) {
      const message = (error as Error).message;
      if (attempt < SET_ASIDE_AFTER_FAILURES) {
        const delay = retryDelay(attempt);
        this.deps.log(
          `delivery: writing ${batch.length} reports failed (attempt ${attempt}), retrying in ${delay} ms: ${message}`,
        );
        await new Promise((r) => setTimeout(r, delay));
        return this.#writeOrRetry(batch, attempt + 1);
      }
      // Set aside, unacknowledged, and retried one by one: a report that cannot be stored holds up nothing else.
      this.deps.log(
        `delivery: writing ${batch.length} reports failed ${attempt} times, retrying them one by one: ${message}`,
      );
      this.#setAside.push(...batch);
      this.#retrySetAside();
    }
  }

  /** Retries the reports set aside, each alone, with a growing delay while none of them can be written. */
  #retrySetAside(): void {
    if (this.#setAsideTimer || this.#setAside.length === 0) return;
    this.#setAsideTimer = setTimeout(
      () => {
        this.#setAsideTimer = undefined;
        const reports = this.#setAside.splice(0);
        this.#writing = this.#writing.then(async () => {
          let written = 0;
          for (const report of reports) {
            try {
              this.#done([report], await this.#write([report]));
              written++;
            } catch (error) {
              this.#setAside.push(report);
              this.deps.log(
                `delivery: writing a ${report.kind} of ${report.vin} failed again: ${(error as Error).message}`,
              );
            }
          }
          this.#setAsideRounds = written > 0 ? 0 : this.#setAsideRounds + 1;
          this.#retrySetAside();
        });
      },
      retryDelay(this.#setAsideRounds + 1),
    );
  }

  /** After the commit: acknowledge to the broker, then confirm to the vehicles. */
  #done(batch: readonly InboundReport[], { confirmations, changedCampaigns }: WrittenBatch): void {
    this.#held -= batch.length;
    if (changedCampaigns.length > 0) this.deps.countsChanged?.(changedCampaigns);
    const committed = performance.now();
    for (const report of batch) {
      report.ack();
      const lagSeconds = (committed - (this.#receivedAt.get(report) ?? committed)) / 1000;
      for (const listener of this.#commitListeners) listener(report.kind, lagSeconds);
    }
    // QoS 0: a confirmation lost on the way only makes the vehicle resend its report, which is
    // stored once (by its id or counter) and confirmed again; QoS 1 cost 2 more packets per report.
    for (const { vin, body } of confirmations)
      this.deps.replies.publishAtMostOnce(vehicleTopic(vin, 'stored'), encodeMessage('stored', body));
    this.#readOn();
  }

  /** Writes what is in memory; reports set aside stay unacknowledged (the broker delivers them again). */
  async drain(): Promise<void> {
    // A batch cut when the one before it finished is awaited too (flush returns the latest write).
    do await this.flush();
    while (this.#buffer.length > 0 || this.#batchesInFlight > 0);
    clearTimeout(this.#setAsideTimer);
    this.#setAsideTimer = undefined;
  }

  /** Writes a batch (set-based, one statement per kind); returns what to confirm and which campaigns changed. */
  async #write(batch: readonly InboundReport[]): Promise<WrittenBatch> {
    const { db, offers, log } = this.deps;
    const decoded = decodeBatch(batch);
    const { rejections } = decoded;
    const fromManifests = await applyManifests(db, decoded.manifests);
    rejections.push(...fromManifests.rejected);
    const applied = await applyResults(db, [...fromManifests.lastUpdates, ...decoded.results]);
    for (const r of applied.notInCampaign) {
      rejections.push({
        vin: r.vin,
        topic: vehicleTopic(r.vin, 'result'),
        reason: `${r.vin} is not in campaign ${r.campaignId} (or unknown vehicle)`,
      });
    }
    await applyProgress(db, decoded.progress);
    rejections.push(...(await applySecurityEvents(db, decoded.securityEvents)).rejected);
    await recordRejections(db, rejections, log);
    this.rejected += rejections.length;
    this.ingested += batch.length - rejections.length;
    // Not awaited: the reports' acknowledgement must not wait for this client's own publishes (deferred-acks.ts).
    void reofferOnline(offers, db, fromManifests.accepted).catch((error: unknown) =>
      log(`delivery: offering again to vehicles that reported a manifest failed: ${(error as Error).message}`),
    );
    return {
      confirmations: confirmationsOf(batch, rejections, decoded.resultIds),
      changedCampaigns: [...new Set(applied.waves.map((w) => w.campaignId))],
    };
  }
}

interface WrittenBatch {
  readonly confirmations: readonly { vin: string; body: Confirmation }[];
  /** Campaigns whose vehicle counts changed. */
  readonly changedCampaigns: readonly number[];
}

/** The counter a manifest or security event claims, if its envelope is readable at all (even when refused). */
function signedCounter(kind: 'manifest' | 'security-event', payload: Uint8Array): number | undefined {
  try {
    const counter = (decodeMessage(kind, payload).signed as { counter?: unknown } | null)?.counter;
    return typeof counter === 'number' && Number.isSafeInteger(counter) && counter >= 0 ? counter : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What to confirm to each vehicle for a committed batch: each result by its id and each manifest
 * by its counter, `rejected` with the reason when refused for good. A report too malformed to name
 * its id gets nothing (it was recorded as rejected; resending it would not help either).
 */
function confirmationsOf(
  batch: readonly InboundReport[],
  rejections: readonly Rejection[],
  resultIds: DecodedBatch['resultIds'],
): { vin: string; body: Confirmation }[] {
  // A security event is refused by its counter: a vehicle's valid events share the topic with a refused one.
  const keyOf = (vin: string | null, topic: string, counter: number | undefined) => `${vin}|${topic}|${counter ?? ''}`;
  const refused = new Map(rejections.map((r) => [keyOf(r.vin, r.topic, r.counter), r.reason]));
  const out: { vin: string; body: Confirmation }[] = [];
  for (const report of batch) {
    const counter = report.kind === 'security-event' ? signedCounter(report.kind, report.payload) : undefined;
    const reason = refused.get(keyOf(report.vin, report.topic, counter));
    const verdict =
      reason === undefined
        ? { status: 'stored' as const }
        : { status: 'rejected' as const, reason: reason.slice(0, 2000) };
    if (report.kind === 'result') {
      const ids = resultIds.get(report);
      if (ids) out.push({ vin: report.vin, body: { kind: 'result', ...ids, ...verdict } });
    } else if (report.kind === 'manifest' || report.kind === 'security-event') {
      const counter = signedCounter(report.kind, report.payload);
      if (counter !== undefined) out.push({ vin: report.vin, body: { kind: report.kind, counter, ...verdict } });
    }
  }
  return out;
}
