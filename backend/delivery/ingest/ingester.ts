import { decodeMessage } from '../../../protocol/messages/codec.ts';
import { MessageDecodeError } from '../../../protocol/messages/errors.ts';
import { vehicleTopic } from '../../../protocol/messages/topics.ts';
import type { BrokerClient } from '../../mqtt/broker-client.ts';
import { reofferOnline } from '../offers.ts';
import type { DeliveryDb } from '../schema.ts';
import { stateOfPhase } from '../vehicle-states.ts';
import { evaluateCampaign } from '../../campaigns/waves.ts';
import type { WaveDecision } from '../../campaigns/waves.ts';
import type { Db } from '../../db/database.ts';
import { applyManifests } from './apply-manifests.ts';
import type { ReceivedManifest } from './apply-manifests.ts';
import { applyProgress } from './apply-progress.ts';
import type { ProgressReport } from './apply-progress.ts';
import { applyResults } from './apply-results.ts';
import type { ResultReport } from './apply-results.ts';
import { recordRejections } from './rejections.ts';
import type { DeliveryLog, Rejection } from './rejections.ts';

export type ReportKind = 'progress' | 'result' | 'manifest';

export interface InboundReport {
  readonly vin: string;
  readonly kind: ReportKind;
  readonly topic: string;
  readonly payload: Uint8Array;
}

export interface IngesterOptions {
  /** Longest a report waits in memory before its batch is written. */
  flushMs?: number;
  /** A batch is written as soon as it holds this many reports. */
  maxBatch?: number;
}

const CAMPAIGN_ID = /^\d{1,9}$/;
/** Shortest time between two evaluations of one campaign's rollout rules. */
const EVALUATION_INTERVAL_MS = 250;
/** Consecutive failed writes of a batch before it is dropped (logged). */
const MAX_WRITE_ATTEMPTS = 5;

/**
 * Collects vehicles' reports and writes them in batches: manifests verified, results
 * de-duplicated by report id, progress only ever forward; then the thresholds of every wave that
 * changed are evaluated (auto-pause). drain() writes what is still in memory (graceful stop).
 */
export class Ingester {
  #buffer: InboundReport[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #failures = 0;
  readonly #toEvaluate = new Set<number>();
  readonly #lastEvaluation = new Map<number, number>();
  #evaluationTimer: NodeJS.Timeout | undefined;
  readonly #flushMs: number;
  readonly #maxBatch: number;
  ingested = 0;
  rejected = 0;
  /** Decisions the campaign rules took after report batches (auto-pause, next wave, completion). */
  readonly decisions: { campaignId: number; decision: WaveDecision }[] = [];

  constructor(
    private readonly deps: { db: DeliveryDb; broker: BrokerClient; log: DeliveryLog },
    options: IngesterOptions = {},
  ) {
    this.#flushMs = options.flushMs ?? 50;
    this.#maxBatch = options.maxBatch ?? 2000;
  }

  push(report: InboundReport): void {
    this.#buffer.push(report);
    if (this.#buffer.length >= this.#maxBatch) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
  }

  /** Writes everything received so far; batches are written one after another, in arrival order. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    if (batch.length > 0) {
      this.#writing = this.#writing.then(() =>
        this.#write(batch).then(
          () => {
            this.#failures = 0;
          },
          (error: unknown) => {
            this.#failures++;
            if (this.#failures >= MAX_WRITE_ATTEMPTS) {
              // Something in the batch itself fails every time: do not block every later report on it.
              this.deps.log(
                `delivery: dropping ${batch.length} reports after ${this.#failures} failed writes: ${(error as Error).message}`,
              );
              this.#failures = 0;
              return;
            }
            // Keep them for the next flush: a database hiccup must not lose reports.
            this.deps.log(`delivery: writing ${batch.length} reports failed, will retry: ${(error as Error).message}`);
            this.#buffer.unshift(...batch);
            this.#timer ??= setTimeout(() => void this.flush(), Math.max(this.#flushMs, 500));
          },
        ),
      );
    }
    return this.#writing;
  }

  async drain(): Promise<void> {
    await this.flush();
    while (this.#buffer.length > 0) await this.flush();
    clearTimeout(this.#evaluationTimer);
    this.#evaluationTimer = undefined;
    await this.#evaluateDue(true);
  }

  /**
   * Runs the domain's rollout rules (backend/campaigns/waves.ts: auto-pause, next wave, completion;
   * audited) for campaigns whose vehicles changed, at most every EVALUATION_INTERVAL_MS per
   * campaign: each run counts the whole wave, which a batch of a large campaign must not repeat.
   * A campaign skipped now is evaluated by a timer shortly after.
   */
  async #evaluateDue(all = false): Promise<void> {
    const now = Date.now();
    for (const campaignId of [...this.#toEvaluate]) {
      const last = this.#lastEvaluation.get(campaignId) ?? 0;
      if (!all && now - last < EVALUATION_INTERVAL_MS) continue;
      this.#toEvaluate.delete(campaignId);
      this.#lastEvaluation.set(campaignId, now);
      const decision = await evaluateCampaign(this.deps.db as unknown as Db, campaignId);
      if (decision.action !== 'none') {
        this.decisions.push({ campaignId, decision });
        this.deps.log(`delivery: campaign ${campaignId}: ${describeDecision(decision)}`);
      }
    }
    if (this.#toEvaluate.size > 0 && !this.#evaluationTimer) {
      this.#evaluationTimer = setTimeout(() => {
        this.#evaluationTimer = undefined;
        this.#writing = this.#writing.then(() =>
          this.#evaluateDue().catch((error: unknown) =>
            this.deps.log(`delivery: evaluation failed: ${(error as Error).message}`),
          ),
        );
      }, EVALUATION_INTERVAL_MS);
    }
  }

  async #write(batch: readonly InboundReport[]): Promise<void> {
    const { db, broker, log } = this.deps;
    const rejections: Rejection[] = [];
    const manifests: ReceivedManifest[] = [];
    const results: ResultReport[] = [];
    const progress: ProgressReport[] = [];
    for (const report of batch) {
      try {
        if (report.kind === 'manifest') {
          manifests.push({ vin: report.vin, topic: report.topic, envelope: decodeMessage('manifest', report.payload) });
        } else if (report.kind === 'result') {
          const r = decodeMessage('result', report.payload);
          if (!CAMPAIGN_ID.test(r.campaignId))
            throw new MessageDecodeError('result', `unknown campaign ${r.campaignId}`);
          results.push({
            vin: report.vin,
            campaignId: Number(r.campaignId),
            reportId: r.resultId,
            outcome: r.outcome,
            ecus: r.ecus,
            error: r.error,
          });
        } else {
          const p = decodeMessage('progress', report.payload);
          if (!CAMPAIGN_ID.test(p.campaignId))
            throw new MessageDecodeError('progress', `unknown campaign ${p.campaignId}`);
          progress.push({ vin: report.vin, campaignId: Number(p.campaignId), state: stateOfPhase(p.phase) });
        }
      } catch (error) {
        if (!(error instanceof MessageDecodeError)) throw error;
        rejections.push({ vin: report.vin, topic: report.topic, reason: error.message });
      }
    }
    const fromManifests = await applyManifests(db, manifests);
    rejections.push(...fromManifests.rejected);
    const applied = await applyResults(db, [...fromManifests.lastUpdates, ...results]);
    for (const r of applied.notInCampaign) {
      rejections.push({
        vin: r.vin,
        topic: vehicleTopic(r.vin, 'result'),
        reason: `${r.vin} is not in campaign ${r.campaignId} (or unknown vehicle)`,
      });
    }
    await applyProgress(db, progress);
    await recordRejections(db, rejections, log);
    this.rejected += rejections.length;
    this.ingested += batch.length - rejections.length;
    for (const w of applied.waves) this.#toEvaluate.add(w.campaignId);
    await this.#evaluateDue();
    await reofferOnline(broker, db, fromManifests.accepted);
  }
}

export function describeDecision(decision: WaveDecision): string {
  switch (decision.action) {
    case 'paused':
      return `paused at wave ${decision.waveNo} (failure rate ${(decision.failureRate * 100).toFixed(1)} %)`;
    case 'success_reached':
      return `wave ${decision.waveNo} reached its success threshold`;
    case 'advanced':
      return `wave ${decision.toWave} started`;
    case 'completed':
      return 'completed';
    case 'expired':
      return `${decision.vehicles} vehicles expired (deadline passed)`;
    case 'none':
      return decision.reason;
  }
}
