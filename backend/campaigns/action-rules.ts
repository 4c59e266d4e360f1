// The rules of the campaign actions that need no database: which state an action may start from,
// who may approve, when a campaign may be completed. service.ts applies them to what it reads.
import type { StateMove } from '../audit/audited-change.ts';
import type { Actor } from '../audit/service.ts';
import type { CampaignState } from './types.ts';
import { conflict, illegalTransition, ProblemError } from '../http/problem.ts';
import { CAMPAIGN_ACTION_RULES } from './states.ts';
import type { CampaignAction } from './states.ts';

/** The state move an action makes from `state`, legal when the action may start there. */
export function campaignMove(id: number, action: CampaignAction, state: CampaignState): StateMove<CampaignState> {
  const rule = CAMPAIGN_ACTION_RULES[action];
  return {
    what: `campaign ${id}`,
    from: state,
    to: rule.to,
    legal: rule.from.includes(state),
    why: `${action} is allowed from ${rule.from.join(', ')}`,
  };
}

/** Four-eyes: whoever created a campaign does not approve it. */
export function checkFourEyes(id: number, approver: Actor, createdBy: number): void {
  if (approver.userId === createdBy) {
    throw new ProblemError(
      403,
      'four-eyes',
      'Four-eyes rule',
      `campaign ${id} was created by you; another approver must approve it`,
    );
  }
}

/** A campaign completes only when no vehicle is downloading or installing. */
export function checkNothingInFlight(id: number, state: CampaignState, inFlight: number): void {
  if (inFlight > 0)
    throw illegalTransition(`campaign ${id}`, state, 'completed', `${inFlight} vehicles are still installing`);
}

/** Submitting a campaign whose filter matches no vehicle needing its releases is refused. */
export const noTargets = (id: number): ProblemError =>
  conflict(
    `campaign ${id} targets no vehicle: no active vehicle matches the filter and needs its releases`,
    'no-targets',
  );
