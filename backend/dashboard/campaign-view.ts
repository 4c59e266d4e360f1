import { FAILED_VEHICLE_STATES } from '../campaigns/states.ts';
import type { Campaign } from '../campaigns/service.ts';
import type { WaveFigures } from '../campaigns/waves.ts';
import type { CampaignState, VehicleCampaignState } from '../campaigns/types.ts';

// What the campaign pages show. Fields shared with the domain's records are picked from their types;
// the rest is shaped for the pages.

/** The chart and the progress bar group the vehicle states into five bands. */
export const STATE_GROUPS = {
  pending: ['pending'],
  in_progress: ['offered', 'downloading', 'downloaded', 'installing'],
  succeeded: ['succeeded'],
  failed: FAILED_VEHICLE_STATES,
  not_updated: ['incompatible', 'cancelled', 'expired'],
} as const satisfies Record<string, readonly VehicleCampaignState[]>;
export type StateGroup = keyof typeof STATE_GROUPS;
export const GROUP_NAMES = Object.keys(STATE_GROUPS) as StateGroup[];
export const GROUP_COLOURS: Record<StateGroup, string> = {
  pending: '#9ca3af',
  in_progress: '#f59e0b',
  succeeded: '#059669',
  failed: '#dc2626',
  not_updated: '#6366f1',
};

export function groupOf(state: VehicleCampaignState): StateGroup {
  for (const group of GROUP_NAMES) {
    if ((STATE_GROUPS[group] as readonly VehicleCampaignState[]).includes(state)) return group;
  }
  return 'not_updated';
}

export type StateCounts = Partial<Record<VehicleCampaignState, number>>;

export function groupCounts(counts: StateCounts): Record<StateGroup, number> {
  const out = { pending: 0, in_progress: 0, succeeded: 0, failed: 0, not_updated: 0 };
  for (const [state, n] of Object.entries(counts) as [VehicleCampaignState, number][]) out[groupOf(state)] += n;
  return out;
}

export function totalOf(counts: StateCounts): number {
  return Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
}

/** The domain's campaign actions; the dashboard offers each of them. */
export type { CampaignAction } from '../campaigns/states.ts';

export interface CampaignSummary extends Pick<Campaign, 'id' | 'name' | 'kind' | 'state' | 'priority' | 'deadlineAt'> {
  counts: StateCounts;
}

export interface WaveView extends Pick<
  WaveFigures,
  | 'waveNo'
  | 'cumulativePercent'
  | 'successThreshold'
  | 'errorThreshold'
  | 'soakMinutes'
  | 'startedAt'
  | 'successReachedAt'
> {
  counts: StateCounts;
}

export interface CampaignDetail extends CampaignSummary {
  createdBy: string;
  approvedBy: string | null;
  approvedAt: string | null;
  startedAt: string | null;
  currentWave: number | null;
  pacingPerMinute: number;
  releases: { id: number; label: string }[];
  vulnerabilities: { id: number; title: string }[];
  targetFilter: Record<string, unknown>;
  installWindows: { from: string; to: string }[];
  driverConsentRequired: boolean;
  waves: WaveView[];
}

/** The live page's payload, also sent over server-sent events. */
export interface LiveSnapshot {
  state: CampaignState;
  /** Seconds since the epoch. */
  at: number;
  groups: Record<StateGroup, number>;
  /** Vehicles per detailed state (offered, downloading, ...), every state present. */
  states: Record<VehicleCampaignState, number>;
  waves: { waveNo: number; groups: Record<StateGroup, number> }[];
}

/** The chart's data: uPlot wants the x values and one array per series. */
export interface GroupTimeline {
  times: number[];
  groups: Record<StateGroup, number[]>;
}

export function groupTimeline(timeline: {
  times: number[];
  counts: Partial<Record<VehicleCampaignState, number[]>>;
}): GroupTimeline {
  const zeros = () => timeline.times.map(() => 0);
  const groups = { pending: zeros(), in_progress: zeros(), succeeded: zeros(), failed: zeros(), not_updated: zeros() };
  for (const [state, series] of Object.entries(timeline.counts) as [VehicleCampaignState, number[]][]) {
    const target = groups[groupOf(state)];
    series.forEach((n, i) => (target[i] = (target[i] ?? 0) + n));
  }
  return { times: timeline.times, groups };
}
