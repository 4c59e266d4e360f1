import type { Context as HonoContext } from 'hono';
import { listAuditEntries } from '../audit/service.ts';
import { RELEASE_STATES } from '../releases/types.ts';
import type { ReleaseState } from '../releases/types.ts';
import type { AuthUser } from '../http/auth.ts';
import { decideAndPublish } from '../releases/authorization.ts';
import {
  AUTHORIZATION_DECISIONS,
  IMAGE_UPLOAD_STATES,
  RELEASE_TRANSITIONS,
  SAFETY_ANALYSIS_STATES,
} from '../releases/lifecycle.ts';
import { AuthorizationInput, ReleaseInput, ReleaseTransition, SafetyImpactAnalysisInput } from '../releases/schemas.ts';
import {
  createRelease,
  listReleases,
  loadRelease,
  recordSafetyImpactAnalysis,
  transitionRelease,
} from '../releases/service.ts';
import type { Release } from '../releases/service.ts';
import { actorFor, pageShell, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import type { DashboardEnv } from './session.ts';
import { attempt, optional, parseForm, textFields } from './form-errors.ts';
import { postPageForm } from './form-post.ts';
import type { FieldLabels } from './form-errors.ts';
import { setFlash, takeFlash } from './flash.ts';
import { humanize } from './format.ts';
import type { Draft, Refused } from './pages/form-fields.tsx';
import { AUTHORIZATION_LABELS, MOVE_LABELS, ReleasePage, SAFETY_LABELS } from './pages/release.tsx';
import type { ReleaseActions } from './pages/release.tsx';
import { NEW_RELEASE_LABELS, NewReleasePage, ReleaseListPage } from './pages/releases.tsx';
import type { ReleaseFilter } from './pages/releases.tsx';
import { readImageUploads } from './release-image-upload.ts';
import { campaignsUsingRelease, fixableVulnerabilities, vulnerabilitiesByIds } from './release-queries.ts';
import { pathId } from './path-id.ts';

type Context = HonoContext<DashboardEnv>;

/** The dashboard's image upload route, in the body limiter's notation (its limit is the API's image limit). */
export const DASHBOARD_IMAGE_UPLOAD_PATH = '/ui/releases/{id}/images';

const OPS = {
  list: 'get /api/releases',
  view: 'get /api/releases/{id}',
  create: 'post /api/releases',
  upload: 'post /api/releases/{id}/images',
  move: 'post /api/releases/{id}/transitions',
  safety: 'put /api/releases/{id}/safety-impact-analysis',
  authorize: 'post /api/releases/{id}/authorization',
} as const;

/** What this user may do on the release now: the API route's roles and the lifecycle's legal moves. */
export function releaseActions(ctx: PageContext, user: AuthUser, r: Release): ReleaseActions {
  const allows = (op: (typeof OPS)[keyof typeof OPS]) => ctx.roles.allows(user, op);
  const next = RELEASE_TRANSITIONS[r.state];
  return {
    upload: allows(OPS.upload) && IMAGE_UPLOAD_STATES.includes(r.state),
    moves: allows(OPS.move) ? next.filter((s) => !(AUTHORIZATION_DECISIONS as readonly string[]).includes(s)) : [],
    safetyAnalysis: allows(OPS.safety) && r.safetyRelevant && SAFETY_ANALYSIS_STATES.includes(r.state),
    authorize: allows(OPS.authorize) && AUTHORIZATION_DECISIONS.some((d) => next.includes(d)),
  };
}

function filterFrom(c: Context): ReleaseFilter {
  const state = c.req.query('state') ?? '';
  return {
    hardwareId: (c.req.query('hardwareId') ?? '').trim().slice(0, 64),
    state: (RELEASE_STATES as readonly string[]).includes(state) ? (state as ReleaseState) : '',
  };
}

/** The evidence fields as the API's object: absent when both are empty, so the service names it. */
function evidenceFrom(d: Draft): { reportRef: string; logSha256: string } | undefined {
  if (!d.reportRef && !d.logSha256) return undefined;
  return { reportRef: d.reportRef ?? '', logSha256: d.logSha256 ?? '' };
}

/** A release's page with the forms this user may use now, one of them possibly refused. */
async function renderRelease(c: Context, ctx: PageContext, id: number, refused: Refused | null, status: 200 | 422) {
  const user = c.get('user');
  const release = await loadRelease(ctx.db, id);
  const [fixes, campaigns, history] = await Promise.all([
    vulnerabilitiesByIds(ctx.db, release.fixes),
    campaignsUsingRelease(ctx.db, id),
    listAuditEntries(ctx.db, { entityType: 'release', entityId: String(id) }, { limit: 200 }),
  ]);
  return c.html(
    <ReleasePage
      {...pageShell(c)}
      release={release}
      fixes={fixes}
      campaigns={campaigns}
      history={history.items}
      actions={releaseActions(ctx, user, release)}
      flash={takeFlash(c)}
      refused={refused}
    />,
    status,
  );
}

export function registerReleasePages(app: DashboardApp, ctx: PageContext): void {
  registerReleaseList(app, ctx);
  registerReleaseActions(app, ctx);
}

/** The list with its filters, and the new-release form. */
function registerReleaseList(app: DashboardApp, ctx: PageContext): void {
  app.get('/releases', requireOperation(ctx.roles, OPS.list), async (c) => {
    const filter = filterFrom(c);
    const found = await listReleases(
      ctx.db,
      { state: filter.state || undefined, hardwareId: filter.hardwareId || undefined },
      { limit: 200 },
    );
    const user = c.get('user');
    return c.html(
      <ReleaseListPage
        {...pageShell(c)}
        releases={found.items.reverse()}
        filter={filter}
        canCreate={ctx.roles.allows(user, OPS.create)}
        flash={takeFlash(c)}
      />,
    );
  });

  const canCreate = requireOperation(ctx.roles, OPS.create);
  app.get('/releases/new', canCreate, async (c) =>
    c.html(<NewReleasePage {...pageShell(c)} vulnerabilities={await fixableVulnerabilities(ctx.db)} />),
  );

  app.post('/releases', canCreate, async (c) => {
    const body = await c.req.parseBody({ all: true });
    const draft = textFields(body);
    const fixes = [body.fixes ?? []].flat().map(Number);
    const result = await attempt(NEW_RELEASE_LABELS, async () => {
      const input = parseForm(ReleaseInput, { ...draft, fixes }, NEW_RELEASE_LABELS);
      return createRelease(ctx.db, actorFor(c.get('user')), input);
    });
    if (result.ok) {
      setFlash(c, { kind: 'ok', text: `Release ${result.value.hardwareId} ${result.value.version} created.` });
      return c.redirect(`/ui/releases/${result.value.id}`, 303);
    }
    return c.html(
      <NewReleasePage
        {...pageShell(c)}
        vulnerabilities={await fixableVulnerabilities(ctx.db)}
        draft={draft}
        fixes={fixes}
        errors={result.messages}
      />,
      422,
    );
  });
}

/** A release's page and its forms: images, lifecycle steps, safety impact analysis, authorisation. */
function registerReleaseActions(app: DashboardApp, ctx: PageContext): void {
  /** Runs a release form's action: success redirects with a message, a refusal shows the form again. */
  const submit = (
    c: Context,
    id: number,
    form: (draft: Draft) => string,
    labels: FieldLabels,
    action: (draft: Draft) => Promise<Release>,
  ) =>
    postPageForm(c, {
      form,
      labels,
      action,
      refused: (refused) => renderRelease(c, ctx, id, refused, 422),
      done: (r) => ({ text: `Release is ${humanize(r.state)}.`, to: `/ui/releases/${id}` }),
    });

  app.get('/releases/:id', requireOperation(ctx.roles, OPS.view), (c) =>
    renderRelease(c, ctx, pathId(c.req.param('id'), 'release'), null, 200),
  );

  app.post('/releases/:id/images', requireOperation(ctx.roles, OPS.upload), (c) =>
    readImageUploads(c, ctx, pathId(c.req.param('id'), 'release')),
  );

  app.post('/releases/:id/transitions', requireOperation(ctx.roles, OPS.move), (c) => {
    const id = pathId(c.req.param('id'), 'release');
    return submit(
      c,
      id,
      (d) => `move-${d.to ?? ''}`,
      MOVE_LABELS,
      (d) => {
        const change = parseForm(ReleaseTransition, { ...d, evidence: evidenceFrom(d) }, MOVE_LABELS);
        return transitionRelease(ctx.db, actorFor(c.get('user')), id, change);
      },
    );
  });

  app.post('/releases/:id/safety-impact-analysis', requireOperation(ctx.roles, OPS.safety), (c) => {
    const id = pathId(c.req.param('id'), 'release');
    return submit(
      c,
      id,
      () => 'sia',
      SAFETY_LABELS,
      (d) =>
        recordSafetyImpactAnalysis(
          ctx.db,
          actorFor(c.get('user')),
          id,
          parseForm(SafetyImpactAnalysisInput, d, SAFETY_LABELS),
        ),
    );
  });

  app.post('/releases/:id/authorization', requireOperation(ctx.roles, OPS.authorize), (c) => {
    const id = pathId(c.req.param('id'), 'release');
    return submit(
      c,
      id,
      () => 'authorize',
      AUTHORIZATION_LABELS,
      (d) => {
        const input = parseForm(
          AuthorizationInput,
          { ...d, evidence: evidenceFrom(d), safetyImpactAnalysis: optional(d.safetyImpactAnalysis) },
          AUTHORIZATION_LABELS,
        );
        return decideAndPublish(ctx.db, ctx.keys, actorFor(c.get('user')), id, input);
      },
    );
  });
}
