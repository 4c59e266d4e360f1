import { deleteDraftCampaign } from '../campaigns/delete-draft.ts';
import { retryFailedVehicles } from '../campaigns/retry-failed.ts';
import { loadCampaign } from '../campaigns/service.ts';
import { campaignProgress } from '../campaigns/waves.ts';
import { VEHICLE_CAMPAIGN_STATES } from '../campaigns/types.ts';
import type { VehicleCampaignState } from '../campaigns/types.ts';
import { ProblemError } from '../http/problem.ts';
import { pathId } from './path-id.ts';
import { panelView } from './campaign-actions.ts';
import { campaignVehicleRows } from './campaign-vehicle-rows.ts';
import { actorFor, pageShell, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { setFlash, takeFlash } from './flash.ts';
import { CampaignPanel } from './pages/campaign-panel.tsx';
import { CampaignVehiclesPage } from './pages/campaign-vehicles.tsx';
import { pageSizeOf } from './pages/paging.tsx';
import { DeleteDraftPage } from './pages/delete-draft.tsx';

function stateParam(raw: string | undefined): VehicleCampaignState | undefined {
  return VEHICLE_CAMPAIGN_STATES.find((s) => s === raw);
}

function reasonOf(form: Record<string, unknown>): string {
  return typeof form.reason === 'string' ? form.reason.trim() : '';
}

/** Registered before registerCampaignPages: its `/campaigns/:id/:action` would take these paths. */
export function registerCampaignManagePages(app: DashboardApp, ctx: PageContext): void {
  const canView = requireOperation(ctx.roles, 'get /api/campaigns/{id}');
  const canRetry = requireOperation(ctx.roles, 'post /api/campaigns/{id}/retry-failed');
  const canDelete = requireOperation(ctx.roles, 'delete /api/campaigns/{id}');

  /** The banner and actions alone, fetched by the live page when the campaign's state changes. */
  app.get('/campaigns/:id/panel', canView, async (c) => {
    const campaign = await loadCampaign(ctx.db, pathId(c.req.param('id'), 'campaign'));
    return c.html(<CampaignPanel view={await panelView(ctx, c.get('user'), campaign, c.get('csrf'))} />);
  });

  app.get('/campaigns/:id/vehicles', requireOperation(ctx.roles, 'get /api/campaigns/{id}/vehicles'), async (c) => {
    const campaign = await loadCampaign(ctx.db, pathId(c.req.param('id'), 'campaign'));
    const state = stateParam(c.req.query('state'));
    const limit = pageSizeOf(c.req.query('limit'));
    const cursor = c.req.query('cursor') || undefined;
    const [page, progress] = await Promise.all([
      campaignVehicleRows(ctx.db, campaign.id, { state }, { limit, cursor }),
      campaignProgress(ctx.db, campaign.id),
    ]);
    return c.html(
      <CampaignVehiclesPage
        {...pageShell(c)}
        campaign={{ id: campaign.id, name: campaign.name, state: campaign.state }}
        counts={progress.byState}
        filter={{ state, limit, cursor }}
        page={page}
      />,
    );
  });

  app.post('/campaigns/:id/retry-failed', canRetry, async (c) => {
    const id = pathId(c.req.param('id'), 'campaign');
    const reason = reasonOf(await c.req.parseBody());
    try {
      if (!reason) throw new ProblemError(422, 'validation-error', 'Invalid request', 'Reason to retry: required');
      const { retriedVehicles } = await retryFailedVehicles(ctx.db, actorFor(c.get('user')), id, reason, ctx.now());
      setFlash(c, { kind: 'ok', text: `${retriedVehicles} vehicles will be offered the update again.` });
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      setFlash(c, { kind: 'error', text: `Not retried: ${err.message}` });
    }
    return c.redirect(`/ui/campaigns/${id}`, 303);
  });

  app.get('/campaigns/:id/delete', canDelete, async (c) => {
    const campaign = await loadCampaign(ctx.db, pathId(c.req.param('id'), 'campaign'));
    return c.html(
      <DeleteDraftPage user={c.get('user')} csrf={c.get('csrf')} campaign={campaign} flash={takeFlash(c)} />,
    );
  });

  app.post('/campaigns/:id/delete', canDelete, async (c) => {
    const id = pathId(c.req.param('id'), 'campaign');
    const form = await c.req.parseBody();
    const reason = reasonOf(form);
    const campaign = await loadCampaign(ctx.db, id);
    const again = (text: string, status: 409 | 422) =>
      c.html(
        <DeleteDraftPage {...pageShell(c)} campaign={campaign} flash={{ kind: 'error', text }} reason={reason} />,
        status,
      );
    if (!reason) return again('Reason for deleting: required', 422);
    try {
      await deleteDraftCampaign(ctx.db, actorFor(c.get('user')), id, reason);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      return again(`Not deleted: ${err.message}`, 409);
    }
    setFlash(c, { kind: 'ok', text: `Draft “${campaign.name}” deleted.` });
    return c.redirect('/ui/campaigns', 303);
  });
}
