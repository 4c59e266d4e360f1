import type { Campaign } from '../campaigns/service.ts';
import {
  CAMPAIGN_ACTION_RULES,
  CAMPAIGN_ACTIONS,
  DELETABLE_CAMPAIGN_STATES,
  RETRY_CAMPAIGN_STATES,
  RETRYABLE_VEHICLE_STATES,
} from '../campaigns/states.ts';
import { campaignProgress } from '../campaigns/waves.ts';
import type { CampaignState } from '../campaigns/types.ts';
import type { AuthUser } from '../http/auth.ts';
import type { ApiOperation, ApiRoles } from './api-roles.ts';
import type { CampaignAction } from './campaign-view.ts';
import type { PageContext } from './context.ts';
import type { PanelView } from './pages/campaign-panel.tsx';

// What a campaign page offers a user: the domain's state rules, filtered by the roles of the API
// route each action mirrors.

/** The state actions the dashboard offers, in the order of their buttons: every action of the domain. */
export const OFFERED_ACTIONS: readonly CampaignAction[] = CAMPAIGN_ACTIONS;

/** The API route an action mirrors: one route per action, or a single transitions route. */
export function actionOperation(roles: ApiRoles, action: CampaignAction): ApiOperation {
  const own: ApiOperation = `post /api/campaigns/{id}/${action}`;
  return roles.has(own) ? own : 'post /api/campaigns/{id}/transitions';
}

/** Actions open to this user now: legal from the state (the domain's rules), allowed to the user's roles. */
export function allowedActions(
  roles: ApiRoles,
  user: AuthUser,
  campaign: { state: CampaignState; createdBy: number },
): CampaignAction[] {
  return OFFERED_ACTIONS.filter(
    (a) =>
      CAMPAIGN_ACTION_RULES[a].from.includes(campaign.state) &&
      roles.allows(user, actionOperation(roles, a)) &&
      // Four-eyes: the creator is never offered the approval.
      !(a === 'approve' && campaign.createdBy === user.id),
  );
}

/** The actions panel for this user: state actions, retry (with the number of failed vehicles) and delete. */
export async function panelView(
  ctx: PageContext,
  user: AuthUser,
  campaign: Campaign,
  csrf: string,
  byState?: Record<string, number>,
): Promise<PanelView> {
  const counts = byState ?? (await campaignProgress(ctx.db, campaign.id)).byState;
  const failed = RETRYABLE_VEHICLE_STATES.reduce((n, s) => n + (counts[s] ?? 0), 0);
  const mayRetry =
    RETRY_CAMPAIGN_STATES.includes(campaign.state) && ctx.roles.allows(user, 'post /api/campaigns/{id}/retry-failed');
  return {
    id: campaign.id,
    state: campaign.state,
    csrf,
    currentWave: campaign.currentWave,
    actions: allowedActions(ctx.roles, user, campaign),
    retryable: mayRetry ? failed : 0,
    canDelete:
      DELETABLE_CAMPAIGN_STATES.includes(campaign.state) && ctx.roles.allows(user, 'delete /api/campaigns/{id}'),
  };
}
