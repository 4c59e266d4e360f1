import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { CampaignState } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { groupCounts } from './campaign-view.ts';
import type { LiveSnapshot, StateCounts } from './campaign-view.ts';
import { vehicleStateCounts } from './queries.ts';

/** A campaign's figures now: a few grouped counts, however many vehicles it has. */
export async function liveSnapshot(db: Db, campaignId: number, state: CampaignState, now: Date): Promise<LiveSnapshot> {
  const rows = await vehicleStateCounts(db, campaignId);
  const total: StateCounts = {};
  const perWave = new Map<number, StateCounts>();
  for (const r of rows) {
    total[r.state] = (total[r.state] ?? 0) + r.n;
    const wave = perWave.get(r.waveNo) ?? {};
    wave[r.state] = (wave[r.state] ?? 0) + r.n;
    perWave.set(r.waveNo, wave);
  }
  return {
    state,
    at: Math.floor(now.getTime() / 1000),
    groups: groupCounts(total),
    waves: [...perWave.entries()]
      .sort(([a], [b]) => a - b)
      .map(([waveNo, counts]) => ({ waveNo, groups: groupCounts(counts) })),
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
