import { Hono } from 'hono';
import type { Context } from 'hono';
import type { BlobStore } from '../blobs/store.ts';
import type { Db } from '../db/database.ts';
import type { KeySet } from '../keys/key-set.ts';
import { problemFromError } from '../http/problem.ts';
import type { DeadlinePolicy } from '../vulnerabilities/deadline-policy.ts';
import { ApiRoles } from './api-roles.ts';
import type { ApiRegistry } from './api-roles.ts';
import { registerAdminPages } from './admin-pages.tsx';
import { registerAssets } from './assets.ts';
import { registerAuditPages } from './audit-pages.tsx';
import type { PageContext } from './context.ts';
import { registerCampaignManagePages } from './campaign-manage-pages.tsx';
import { registerCampaignPages } from './campaign-pages.tsx';
import { registerMonitoringPages } from './monitoring-pages.ts';
import { registerFleetPages } from './fleet-pages.tsx';
import { registerReleasePages } from './release-pages.tsx';
import { registerSecurityEventPages } from './security-event-pages.tsx';
import { registerVulnerabilityPages } from './vulnerability-pages.tsx';
import { ErrorPage } from './pages/error.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { endSession, requireSession, sameOrigin, startSession, tokenResolver } from './session.ts';
import type { DashboardEnv } from './session.ts';

export interface DashboardDeps {
  db: Db;
  /** The API app: the dashboard grants each page and action to the roles of the matching API route. */
  api: ApiRegistry;
  deadlinePolicy?: DeadlinePolicy;
  /** The API's image store and upload limit (default 64 MiB), and its signing keys when held. */
  images: { blobs: BlobStore; maxBytes?: number };
  keys?: KeySet | undefined;
  now?: () => Date;
  /** How often a live campaign page is refreshed over server-sent events (default 2000 ms). */
  liveIntervalMs?: number;
}

/** Where createApp mounts the dashboard; links and the session cookie's path assume it. */
export const DASHBOARD_MOUNT = '/ui';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The campaign managers' dashboard: server-rendered pages, small scripts, no framework. Mount it with
 * `app.route('/ui', dashboardRoutes({ ...deps, api: app }))`.
 */
export function dashboardRoutes(deps: DashboardDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const resolve = tokenResolver(deps.db);
  const ctx: PageContext = {
    db: deps.db,
    roles: new ApiRoles(deps.api),
    api: deps.api,
    now: deps.now ?? (() => new Date()),
    deadlinePolicy: deps.deadlinePolicy,
    liveIntervalMs: deps.liveIntervalMs ?? 2000,
    images: { blobs: deps.images.blobs, maxBytes: deps.images.maxBytes ?? 64 * 1024 * 1024 },
    keys: deps.keys,
  };

  app.use(async (c, next) => {
    await next();
    c.header('content-security-policy', CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
    if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) c.header('cache-control', 'no-store');
  });

  app.get('/sign-in', (c) => c.html(<SignInPage next={safeNext(c.req.query('next'))} />));
  app.post('/sign-in', async (c) => {
    if (!sameOrigin(c)) return c.text('cross-site request refused', 403);
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    const user = token ? await resolve(token) : null;
    if (!user) {
      return c.html(<SignInPage next={next} error="That token is unknown or revoked." />, 401);
    }
    startSession(c, token);
    return c.redirect(next, 303);
  });

  app.use(requireSession(resolve));
  app.post('/sign-out', (c) => {
    endSession(c);
    return c.redirect('/ui/sign-in', 303);
  });
  registerAssets(app);
  app.get('/', (c) => c.redirect('/ui/campaigns', 303));
  registerCampaignManagePages(app, ctx);
  registerCampaignPages(app, ctx);
  registerFleetPages(app, ctx);
  registerVulnerabilityPages(app, ctx);
  registerMonitoringPages(app, ctx);
  registerReleasePages(app, ctx);
  registerSecurityEventPages(app, ctx);
  registerAuditPages(app, ctx);
  registerAdminPages(app, ctx);

  app.notFound((c) => c.html(<ErrorPage user={null} csrf={undefined} title="Not found" detail="No such page." />, 404));
  app.onError((err, c) => errorResponse(c, err));
  return app;
}

/** Only paths inside the dashboard are followed after sign-in (no open redirect). */
function safeNext(next: string | undefined): string {
  return next && /^\/ui(\/[\w\-/.]*)?$/.test(next) && !next.includes('//') ? next : '/ui/campaigns';
}

function errorResponse(c: Context<DashboardEnv>, err: Error): Response | Promise<Response> {
  const user = c.get('user') ?? null;
  const csrf = c.get('csrf');
  // The API's mapping: a refused value is a 4xx, an unreachable database a 503 to retry.
  const problem = problemFromError(err);
  if (problem.status === 503 && typeof problem.retryAfterSeconds === 'number')
    c.header('retry-after', String(problem.retryAfterSeconds));
  if (problem.status === 500) console.error(err);
  const detail =
    problem.status === 500 ? 'The server failed to handle the request; it has been logged.' : problem.detail;
  return c.html(<ErrorPage user={user} csrf={csrf} title={problem.title} detail={detail} />, problem.status as 500);
}
