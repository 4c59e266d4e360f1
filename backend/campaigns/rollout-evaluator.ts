// The one place that runs the rollout rules of running campaigns (waves.ts), outside every write
// path: the ingester and dispatcher only tell it which campaigns' counts changed. Across backend
// instances at most one evaluation of a campaign runs at a time (evaluateCampaignUnlessBusy takes
// a transaction-scoped advisory lock without waiting); an instance that finds it taken tries again
// shortly after, so a change it committed while another instance was evaluating is still evaluated
// after that change. A periodic pass over every running campaign covers soak times, deadlines and
// changes committed by instances that are gone.
import type { Db } from '../db/database.ts';
import { evaluateCampaignUnlessBusy } from './waves.ts';
import type { WaveDecision } from './waves.ts';

export interface RolloutEvaluatorOptions {
  /** How often every running campaign is evaluated even when this instance saw no change. */
  periodMs?: number;
  /** Shortest time between two passes over the changed campaigns (a pass evaluates each once). */
  minGapMs?: number;
  /** Clock of the rules (tests). */
  now?: () => Date;
  /** How many of the latest decisions `decisions` keeps (older ones are dropped: the service runs for months). */
  keepDecisions?: number;
}

/** A decision of the rules on one campaign. */
export interface CampaignDecision {
  readonly campaignId: number;
  readonly decision: WaveDecision;
}

export interface EvaluatorDeps {
  readonly db: Db;
  readonly log: (line: string) => void;
}

/** Runs the rollout rules for changed campaigns, one pass at a time, never overlapping another instance's. */
export class RolloutEvaluator {
  readonly #deps: EvaluatorDeps;
  readonly #periodMs: number;
  readonly #minGapMs: number;
  readonly #now: () => Date;
  readonly #keepDecisions: number;
  readonly #decisions: CampaignDecision[] = [];
  /** Campaigns to evaluate in the next pass. */
  readonly #due = new Set<number>();
  #pass: Promise<void> | undefined;
  #periodic: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Evaluations made, and skipped because another evaluation of the campaign was under way. */
  evaluations = 0;
  busy = 0;

  constructor(deps: EvaluatorDeps, options: RolloutEvaluatorOptions = {}) {
    this.#deps = deps;
    this.#periodMs = options.periodMs ?? 1000;
    this.#minGapMs = options.minGapMs ?? 100;
    this.#now = options.now ?? (() => new Date());
    this.#keepDecisions = options.keepDecisions ?? 100;
  }

  /** The latest decisions the rules took (auto-pause, next wave, completion, expiry), oldest first. */
  get decisions(): readonly CampaignDecision[] {
    return this.#decisions;
  }

  /** Starts the periodic pass over every running campaign. */
  start(): void {
    this.#periodic ??= setInterval(() => void this.#notifyRunning(), this.#periodMs);
  }

  /** The counts of these campaigns changed (committed): evaluate them soon, outside the caller's work. */
  notify(campaignIds: Iterable<number>): void {
    if (this.#stopped) return;
    for (const id of campaignIds) this.#due.add(id);
    // Started on a later turn of the event loop: nothing of it runs in the notifier's call or promise chain.
    if (this.#due.size > 0) this.#pass ??= new Promise((r) => setImmediate(r)).then(() => this.#passes());
  }

  /** Resolves once every campaign notified so far is evaluated (tests, graceful stop). */
  async settled(): Promise<void> {
    while (this.#pass) await this.#pass;
  }

  /** Stops the periodic pass and finishes the evaluations asked for so far. */
  async stop(): Promise<void> {
    clearInterval(this.#periodic);
    this.#periodic = undefined;
    await this.settled();
    this.#stopped = true;
  }

  async #notifyRunning(): Promise<void> {
    try {
      const running = await this.#deps.db.selectFrom('campaigns').select('id').where('state', '=', 'running').execute();
      this.notify(running.map((r) => r.id));
    } catch (error) {
      this.#deps.log(`campaigns: cannot list running campaigns to evaluate: ${(error as Error).message}`);
    }
  }

  /** Passes until no campaign is due; a campaign notified during a pass is evaluated in the next. */
  async #passes(): Promise<void> {
    try {
      while (this.#due.size > 0) {
        const campaigns = [...this.#due];
        this.#due.clear();
        for (const campaignId of campaigns) await this.#evaluate(campaignId);
        if (this.#due.size > 0) await new Promise((r) => setTimeout(r, this.#minGapMs));
      }
    } finally {
      this.#pass = undefined;
    }
  }

  async #evaluate(campaignId: number): Promise<void> {
    try {
      const decision = await evaluateCampaignUnlessBusy(this.#deps.db, campaignId, this.#now());
      if (decision === 'busy') {
        // Another instance is evaluating; it may have read the counts before this instance's change.
        this.busy++;
        this.#due.add(campaignId);
        return;
      }
      this.evaluations++;
      if (decision.action === 'none') return;
      this.#decisions.push({ campaignId, decision });
      if (this.#decisions.length > this.#keepDecisions) this.#decisions.shift();
      this.#deps.log(`campaigns: campaign ${campaignId}: ${describeDecision(decision)}`);
    } catch (error) {
      // Evaluated again by the next periodic pass.
      this.#deps.log(`campaigns: evaluating campaign ${campaignId} failed: ${(error as Error).message}`);
    }
  }
}

/** A decision as the log line tells it. */
function describeDecision(decision: WaveDecision): string {
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
