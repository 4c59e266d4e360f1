import { VEHICLE_CAMPAIGN_STATES } from './types.ts';
import type { CampaignState, VehicleCampaignState } from './types.ts';

export const CAMPAIGN_ACTIONS = [
  'submit',
  'approve',
  'reject',
  'start',
  'pause',
  'resume',
  'complete',
  'cancel',
] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

/** Each action: the states it may start from and the state it leads to. */
export const CAMPAIGN_ACTION_RULES: Record<CampaignAction, { from: readonly CampaignState[]; to: CampaignState }> = {
  submit: { from: ['draft'], to: 'pending_approval' },
  approve: { from: ['pending_approval'], to: 'approved' },
  reject: { from: ['pending_approval'], to: 'draft' },
  start: { from: ['approved'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  complete: { from: ['running'], to: 'completed' },
  cancel: { from: ['draft', 'pending_approval', 'approved', 'running', 'paused'], to: 'cancelled' },
};

/** Campaign states in which vehicle reports are still accepted (in-flight installs finish after a cancel). */
export const REPORTING_CAMPAIGN_STATES: readonly CampaignState[] = ['running', 'paused', 'cancelled'];

/** Failure outcomes, counted against a wave's error threshold. */
export const FAILED_VEHICLE_STATES = [
  'failed',
  'rolled_back',
  'rollback_failed',
] as const satisfies readonly VehicleCampaignState[];
/** Offered or not yet: what cancelling a campaign or a vehicle, or the deadline, stops (downloads already under way finish). */
export const WAITING_VEHICLE_STATES = ['pending', 'offered'] as const satisfies readonly VehicleCampaignState[];
/** The vehicle is downloading or installing: a campaign cannot be completed while any vehicle is. */
export const IN_FLIGHT_VEHICLE_STATES = [
  'downloading',
  'downloaded',
  'installing',
] as const satisfies readonly VehicleCampaignState[];

/** How an install ended: the states a gateway's final result leads to. */
export const RESULT_VEHICLE_STATES = [
  'succeeded',
  'failed',
  'rolled_back',
  'rollback_failed',
] as const satisfies readonly VehicleCampaignState[];

/**
 * Legal per-vehicle moves. Forward skips along pending -> offered -> downloading -> downloaded ->
 * installing are legal, so a lost or reordered progress report does not wedge a vehicle; and a
 * final result closes a vehicle from any state after the offer, because delivery applies a batch's
 * results before its progress and a result can overtake the progress sent before it.
 */
export const VEHICLE_TRANSITIONS: Record<VehicleCampaignState, readonly VehicleCampaignState[]> = {
  pending: ['offered', 'cancelled', 'expired', 'incompatible'],
  offered: [
    'downloading',
    'downloaded',
    'installing',
    ...RESULT_VEHICLE_STATES,
    'cancelled',
    'expired',
    'incompatible',
  ],
  downloading: ['downloaded', 'installing', ...RESULT_VEHICLE_STATES, 'cancelled', 'expired'],
  downloaded: ['installing', ...RESULT_VEHICLE_STATES, 'cancelled', 'expired'],
  installing: [...RESULT_VEHICLE_STATES],
  succeeded: [],
  failed: [],
  rolled_back: [],
  rollback_failed: [],
  incompatible: [],
  cancelled: [],
  expired: [],
};

/** Final states: no legal move leads out of them (derived from the table so the two cannot disagree). */
export const TERMINAL_VEHICLE_STATES: readonly VehicleCampaignState[] = VEHICLE_CAMPAIGN_STATES.filter(
  (state) => VEHICLE_TRANSITIONS[state].length === 0,
);
/** States in which the update is still to come or under way: every state that is not final. */
export const ACTIVE_VEHICLE_STATES: readonly VehicleCampaignState[] = VEHICLE_CAMPAIGN_STATES.filter(
  (state) => VEHICLE_TRANSITIONS[state].length > 0,
);

/**
 * Failed installs a campaign manager may send again (the vehicle goes back to pending and is offered
 * anew). Not rollback_failed: an ECU whose rollback failed runs unknown software, a workshop's job.
 */
export const RETRYABLE_VEHICLE_STATES = ['failed', 'rolled_back'] as const satisfies readonly VehicleCampaignState[];
/** Campaign states in which failed vehicles may be retried: the dispatcher still offers (or will on resume). */
export const RETRY_CAMPAIGN_STATES: readonly CampaignState[] = ['running', 'paused'];
/** Only a draft may be deleted: once submitted, a campaign belongs to the audit trail. */
export const DELETABLE_CAMPAIGN_STATES: readonly CampaignState[] = ['draft'];

/** Progress order: a report for a state at or behind the current one is a duplicate or stale, not an error. */
export const VEHICLE_STATE_RANK: Record<VehicleCampaignState, number> = {
  pending: 0,
  offered: 1,
  downloading: 2,
  downloaded: 3,
  installing: 4,
  succeeded: 5,
  failed: 5,
  rolled_back: 5,
  rollback_failed: 5,
  incompatible: 5,
  cancelled: 5,
  expired: 5,
};

/** The legal moves as rows, for joining in SQL. */
export const VEHICLE_TRANSITION_PAIRS: [VehicleCampaignState, VehicleCampaignState][] = Object.entries(
  VEHICLE_TRANSITIONS,
).flatMap(([from, tos]) =>
  tos.map((to) => [from as VehicleCampaignState, to] as [VehicleCampaignState, VehicleCampaignState]),
);
