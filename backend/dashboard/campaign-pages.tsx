import { campaignProgress } from '../campaigns/waves.ts';
import { createCampaign, listCampaigns, loadCampaign, transitionCampaign } from '../campaigns/service.ts';
import type { Campaign } from '../campaigns/service.ts';
import type { CampaignState } from '../campaigns/types.ts';
import { ProblemError } from '../http/problem.ts';
import { CAMPAIGN_READY_STATES } from '../releases/lifecycle.ts';
import { listReleases, loadRelease } from '../releases/service.ts';
import { loadVulnerability } from '../vulnerabilities/service.ts';
import { actionOperation, OFFERED_ACTIONS, panelView } from './campaign-actions.ts';
import { formErrorOf } from './campaign-form-errors.ts';
import { campaignInputFrom, releaseIdsFrom, targetFilterFrom, waveRowsOf } from './campaign-form-input.ts';
import { groupTimeline } from './campaign-view.ts';
import type { CampaignAction, CampaignDetail, StateCounts } from './campaign-view.ts';
import { actorFor, pageShell, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { setFlash, takeFlash } from './flash.ts';
import { liveSnapshot, streamCampaign } from './live.ts';
import { APPROVAL_ACTIONS, COMMENT_LABEL } from './pages/campaign-approval.tsx';
import { releaseLabels } from './release-labels.ts';
import { NewCampaignPage } from './pages/campaign-form.tsx';
import type { ReleaseChoice } from './pages/campaign-form.tsx';
import { CampaignListPage, CampaignPage } from './pages/campaigns.tsx';
import { countTargets, failureReasons, stateTimeline, userNames } from './queries.ts';
import { pathId } from './path-id.ts';

async function detailOf(ctx: PageContext, c: Campaign, counts: StateCounts, waveCounts: Map<number, StateCounts>) {
  const releases = await Promise.all(c.releaseIds.map((id) => loadRelease(ctx.db, id)));
  const [labels, vulnerabilities, names, progress] = await Promise.all([
    releaseLabels(ctx.db, releases),
    Promise.all(c.vulnerabilityIds.map((id) => loadVulnerability(ctx.db, id))),
    userNames(ctx.db, [c.createdBy, ...(c.approvedBy ? [c.approvedBy] : [])]),
    campaignProgress(ctx.db, c.id),
  ]);
  const detail: CampaignDetail = {
    id: c.id,
    name: c.name,
    kind: c.kind,
    state: c.state,
    priority: c.priority,
    deadlineAt: c.deadlineAt,
    counts,
    createdBy: names.get(c.createdBy) ?? `user ${c.createdBy}`,
    approvedBy: c.approvedBy ? (names.get(c.approvedBy) ?? `user ${c.approvedBy}`) : null,
    approvedAt: c.approvedAt,
    startedAt: c.startedAt,
    currentWave: c.currentWave,
    pacingPerMinute: c.pacingPerMinute,
    releases: releases.map((r) => ({ id: r.id, label: `${labels.get(r.id)} (${r.hardwareId})` })),
    vulnerabilities: vulnerabilities.map((v) => ({ id: v.id, title: v.title })),
    targetFilter: c.targetFilter as Record<string, unknown>,
    installWindows: c.installPolicy.windows,
    driverConsentRequired: c.installPolicy.driverConsentRequired,
    waves: progress.waves.map((w) => ({
      waveNo: w.waveNo,
      cumulativePercent: w.cumulativePercent,
      successThreshold: w.successThreshold,
      errorThreshold: w.errorThreshold,
      soakMinutes: w.soakMinutes,
      startedAt: w.startedAt,
      successReachedAt: w.successReachedAt,
      counts: waveCounts.get(w.waveNo) ?? {},
    })),
  };
  return detail;
}

async function releaseChoices(ctx: PageContext): Promise<ReleaseChoice[]> {
  const pages = await Promise.all(
    CAMPAIGN_READY_STATES.map((state) => listReleases(ctx.db, { state }, { limit: 200 })),
  );
  const releases = pages.flatMap((p) => p.items).sort((a, b) => a.id - b.id);
  const titles = new Map<number, string>();
  for (const id of new Set(releases.flatMap((r) => r.fixes))) {
    titles.set(id, (await loadVulnerability(ctx.db, id)).title);
  }
  const labels = await releaseLabels(ctx.db, releases);
  return releases.map((r) => ({
    id: r.id,
    label: `${labels.get(r.id)} (${r.hardwareId}, ${r.supplier}, ${r.state})`,
    fixes: r.fixes.map((id) => ({ id, title: titles.get(id) ?? '' })),
  }));
}

export function registerCampaignPages(app: DashboardApp, ctx: PageContext): void {
  registerCampaignListPage(app, ctx);
  registerNewCampaignPages(app, ctx);
  registerCampaignViewPages(app, ctx);
  registerCampaignActionForms(app, ctx);
}

function registerCampaignListPage(app: DashboardApp, ctx: PageContext): void {
  app.get('/campaigns', requireOperation(ctx.roles, 'get /api/campaigns'), async (c) => {
    const page = await listCampaigns(ctx.db, {}, { limit: 200 });
    const campaigns = await Promise.all(
      page.items.reverse().map(async (item) => {
        const progress = await campaignProgress(ctx.db, item.id);
        return { ...item, counts: progress.byState as StateCounts };
      }),
    );
    const user = c.get('user');
    return c.html(
      <CampaignListPage
        {...pageShell(c)}
        now={ctx.now()}
        flash={takeFlash(c)}
        campaigns={campaigns}
        canCreate={ctx.roles.allows(user, 'post /api/campaigns')}
      />,
    );
  });
}

/** The new-campaign form, its live target count and its submission. */
function registerNewCampaignPages(app: DashboardApp, ctx: PageContext): void {
  const canCreate = requireOperation(ctx.roles, 'post /api/campaigns');
  app.get('/campaigns/new', canCreate, async (c) =>
    c.html(<NewCampaignPage {...pageShell(c)} releases={await releaseChoices(ctx)} flash={takeFlash(c)} />),
  );

  /** The live count of vehicles the filter matches (fetched by the form as it changes). */
  app.get('/campaigns/target-count', canCreate, async (c) => {
    try {
      const releaseIds = releaseIdsFrom(c.req.queries('releaseIds') ?? []);
      if (releaseIds.length === 0)
        return c.json({ ok: false, error: 'Choose releases to count the vehicles that need them.' });
      const filter = targetFilterFrom((name) => (c.req.query(name) ?? '').trim());
      return c.json({ ok: true, count: await countTargets(ctx.db, filter, releaseIds) });
    } catch (err) {
      if (err instanceof ProblemError) return c.json({ ok: false, error: err.message });
      throw err;
    }
  });

  app.post('/campaigns', canCreate, async (c) => {
    const form = await c.req.parseBody({ all: true });
    try {
      const created = await createCampaign(ctx.db, actorFor(c.get('user')), campaignInputFrom(form));
      setFlash(c, { kind: 'ok', text: `Draft “${created.name}” created; submit it for approval when ready.` });
      return c.redirect(`/ui/campaigns/${created.id}`, 303);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      // The form again with everything typed, the refused field named as the form labels it.
      return c.html(
        <NewCampaignPage
          {...pageShell(c)}
          releases={await releaseChoices(ctx)}
          flash={null}
          values={form}
          error={formErrorOf(err, waveRowsOf(form))}
        />,
        err.status === 409 ? 409 : 422,
      );
    }
  });
}

/** A campaign's page and its live figures (server-sent events). */
function registerCampaignViewPages(app: DashboardApp, ctx: PageContext): void {
  const canView = requireOperation(ctx.roles, 'get /api/campaigns/{id}');
  app.get('/campaigns/:id', canView, async (c) => {
    const id = pathId(c.req.param('id'), 'campaign');
    const now = ctx.now();
    const campaign = await loadCampaign(ctx.db, id);
    const [timeline, failures, progress] = await Promise.all([
      stateTimeline(ctx.db, id, now),
      failureReasons(ctx.db, id),
      campaignProgress(ctx.db, id),
    ]);
    const waveCounts = new Map(progress.waves.map((w) => [w.waveNo, w.byState as StateCounts]));
    const detail = await detailOf(ctx, campaign, progress.byState as StateCounts, waveCounts);
    const user = c.get('user');
    return c.html(
      <CampaignPage
        {...pageShell(c)}
        now={now}
        flash={takeFlash(c)}
        campaign={detail}
        panel={await panelView(ctx, user, campaign, c.get('csrf'), progress.byState)}
        timeline={groupTimeline(timeline)}
        failures={failures}
        snapshot={liveSnapshot(progress, campaign.state, now)}
      />,
    );
  });

  app.get('/campaigns/:id/live', canView, async (c) => {
    const id = pathId(c.req.param('id'), 'campaign');
    await loadCampaign(ctx.db, id);
    return streamCampaign(c, {
      intervalMs: ctx.liveIntervalMs,
      now: ctx.now,
      snapshot: async (now) => {
        const progress = await campaignProgress(ctx.db, id);
        return liveSnapshot(progress, progress.state as CampaignState, now);
      },
    });
  });
}

/** The action buttons of a campaign's panel, each checked against the API route's roles. */
function registerCampaignActionForms(app: DashboardApp, ctx: PageContext): void {
  app.post('/campaigns/:id/:action', async (c) => {
    const id = pathId(c.req.param('id'), 'campaign');
    const action = c.req.param('action') as CampaignAction;
    if (!OFFERED_ACTIONS.includes(action)) return c.text(`unknown action ${action}`, 404);
    const user = c.get('user');
    const operation = actionOperation(ctx.roles, action);
    if (!ctx.roles.allows(user, operation)) {
      return c.text(
        `Your roles do not allow this (it needs one of: ${ctx.roles.rolesFor(operation).join(', ')}).`,
        403,
      );
    }
    const form = await c.req.parseBody({ all: true });
    const typed = typeof form.reason === 'string' ? form.reason.trim() : '';
    // An approver's decision is recorded with their own words, never a stand-in.
    if (!typed && APPROVAL_ACTIONS.includes(action)) {
      setFlash(c, {
        kind: 'error',
        text: `${COMMENT_LABEL}: required; it is recorded as the reason for your decision.`,
      });
      return c.redirect(`/ui/campaigns/${id}`, 303);
    }
    const reason = typed || `${action} from the dashboard`;
    try {
      const after = await transitionCampaign(ctx.db, actorFor(user), id, { action, reason }, ctx.now());
      setFlash(c, { kind: 'ok', text: `Campaign is now ${after.state.replace(/_/g, ' ')}.` });
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      setFlash(c, { kind: 'error', text: err.message });
    }
    return c.redirect(`/ui/campaigns/${id}`, 303);
  });
}
