// The rollout rules of a running campaign as pure functions: what to do with the current wave,
// decided from its vehicle counts, its configuration and the clock. No database here; waves.ts reads
// the counts, asks these functions and applies what they decide.

/** How the current wave's vehicles stand (from the state counts). */
export interface WaveCounts {
  /** Vehicles in the wave. */
  total: number;
  succeeded: number;
  /** Vehicles in a failure state (FAILED_VEHICLE_STATES). */
  failed: number;
  /** Vehicles of the whole campaign not yet in a final state. */
  activeInCampaign: number;
}

/** The current wave's configuration and what has been recorded of it. */
export interface WaveConfig {
  waveNo: number;
  /** Whether this is the campaign's last wave. */
  isLast: boolean;
  successThreshold: number;
  errorThreshold: number;
  soakMinutes: number;
  /** When the wave first reached its success threshold, if it has. */
  successReachedAt: Date | null;
}

/** What the rules decide for the current wave. */
export type WaveVerdict =
  /** Nothing to do yet. */
  | { verdict: 'wait'; reason: string }
  /** The wave failed more than its error threshold allows: the campaign pauses. */
  | { verdict: 'pause'; waveNo: number; failureRate: number; errorThreshold: number; failed: number; total: number }
  /** The last wave, and no vehicle of the campaign is still active: the campaign completes. */
  | { verdict: 'complete'; waveNo: number; successRate: number }
  /** The wave reached its success threshold just now and soaks before the next wave starts. */
  | { verdict: 'soak'; waveNo: number; successRate: number }
  /**
   * The next wave starts. `successRate` is set when the wave reached its threshold just now (no soak
   * time), so that moment is recorded too.
   */
  | { verdict: 'advance'; fromWave: number; toWave: number; successRate: number | null };

export function failureRate(counts: Pick<WaveCounts, 'total' | 'failed'>): number {
  return counts.total === 0 ? 0 : counts.failed / counts.total;
}

/** An empty wave counts as a complete success. */
export function successRate(counts: Pick<WaveCounts, 'total' | 'succeeded'>): number {
  return counts.total === 0 ? 1 : counts.succeeded / counts.total;
}

/** The campaign deadline has passed (strictly: at the deadline itself vehicles may still start). */
export function deadlinePassed(deadlineAt: Date | null, now: Date): deadlineAt is Date {
  return deadlineAt !== null && deadlineAt.getTime() < now.getTime();
}

/** When the soak of a wave that reached its threshold at `reachedAt` ends. */
export function soakEndsAt(reachedAt: Date, soakMinutes: number): Date {
  return new Date(reachedAt.getTime() + soakMinutes * 60_000);
}

/**
 * A wave whose failure rate exceeds its error threshold pauses the campaign (at the threshold it
 * does not); the last wave completes the campaign once every vehicle is final; any other wave at
 * its success threshold starts the next one after its soak time.
 */
export function waveVerdict(counts: WaveCounts, wave: WaveConfig, now: Date): WaveVerdict {
  const { waveNo } = wave;
  const failure = failureRate(counts);
  const success = successRate(counts);
  if (failure > wave.errorThreshold) {
    return {
      verdict: 'pause',
      waveNo,
      failureRate: failure,
      errorThreshold: wave.errorThreshold,
      failed: counts.failed,
      total: counts.total,
    };
  }
  if (wave.isLast) {
    if (counts.activeInCampaign === 0) return { verdict: 'complete', waveNo, successRate: success };
    return { verdict: 'wait', reason: `last wave ${waveNo} still has vehicles in progress` };
  }
  if (success < wave.successThreshold) {
    return { verdict: 'wait', reason: `wave ${waveNo} at ${(success * 100).toFixed(1)} % success` };
  }
  if (wave.successReachedAt === null) {
    if (wave.soakMinutes > 0) return { verdict: 'soak', waveNo, successRate: success };
    return { verdict: 'advance', fromWave: waveNo, toWave: waveNo + 1, successRate: success };
  }
  const soakEnd = soakEndsAt(wave.successReachedAt, wave.soakMinutes);
  if (now.getTime() < soakEnd.getTime()) {
    return { verdict: 'wait', reason: `wave ${waveNo} soaking until ${soakEnd.toISOString()}` };
  }
  return { verdict: 'advance', fromWave: waveNo, toWave: waveNo + 1, successRate: null };
}
