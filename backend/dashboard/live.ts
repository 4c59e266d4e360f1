import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { CampaignProgress } from '../campaigns/waves.ts';
import { VEHICLE_CAMPAIGN_STATES } from '../campaigns/types.ts';
import type { CampaignState } from '../campaigns/types.ts';
import { groupCounts } from './campaign-view.ts';
import type { LiveSnapshot, StateCounts } from './campaign-view.ts';

/**
 * A campaign's figures now, from the domain's grouped counts (campaignProgress), so the page and
 * the stream read them once: the waves that have vehicles, in wave order.
 */
export function liveSnapshot(progress: CampaignProgress, state: CampaignState, now: Date): LiveSnapshot {
  return {
    state,
    at: Math.floor(now.getTime() / 1000),
    groups: groupCounts(progress.byState as StateCounts),
    states: Object.fromEntries(
      VEHICLE_CAMPAIGN_STATES.map((s) => [s, progress.byState[s] ?? 0]),
    ) as LiveSnapshot['states'],
    waves: progress.waves
      .filter((w) => w.total > 0)
      .map((w) => ({ waveNo: w.waveNo, groups: groupCounts(w.byState as StateCounts) })),
  };
}

const FINAL_STATES: readonly CampaignState[] = ['completed', 'cancelled'];

/**
 * Server-sent events for a campaign page: a `snapshot` event whenever the figures or the state
 * change (checked every `intervalMs`), a comment line as keep-alive otherwise. The stream ends when
 * the campaign is completed or cancelled, or when the browser goes away.
 */
export function streamCampaign(
  c: Context,
  options: {
    intervalMs: number;
    now: () => Date;
    snapshot: (now: Date) => Promise<LiveSnapshot>;
  },
): Response {
  return streamSSE(c, async (stream) => {
    let last = '';
    let quietRounds = 0;
    let closed = false;
    stream.onAbort(() => {
      closed = true;
    });
    while (!closed) {
      const snap = await options.snapshot(options.now());
      const key = JSON.stringify({ ...snap, at: 0 });
      if (key !== last) {
        last = key;
        quietRounds = 0;
        await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(snap) });
      } else if (++quietRounds % 15 === 0) {
        await stream.write(': keep-alive\n\n');
      }
      if (FINAL_STATES.includes(snap.state)) break;
      await stream.sleep(options.intervalMs);
    }
  });
}
