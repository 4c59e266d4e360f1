import { OpenAPIHono } from '@hono/zod-openapi';
import { registerAuditRoutes } from './audit/routes.ts';
import { registerCampaignRoutes } from './campaigns/routes.ts';
import { BlobStore } from './blobs/store.ts';
import type { Db } from './db/database.ts';
import { registerFleetRoutes } from './fleet/routes.ts';
import { authenticate } from './http/auth.ts';
import type { AppEnv } from './http/auth.ts';
import type { RouteDeps } from './http/deps.ts';
import { registerDocs } from './http/docs.ts';
import { problemFromError, problemResponse, ProblemError } from './http/problem.ts';
import { accessLog, requestIdOf } from './observability/access-log.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import type { BackendMetrics } from './observability/metrics.ts';
import { registerHealthRoutes } from './ops/health-routes.ts';
import { databaseReachable, migrationsCurrent, type ReadinessCheck } from './ops/readiness.ts';
import { registerReleaseRoutes } from './releases/routes.ts';
import { registerUserRoutes } from './users/routes.ts';
import { dashboardRoutes } from './dashboard/routes.tsx';
import { asDeliveryDb } from './delivery/schema.ts';
import { tufRoutes } from './tuf-repo/routes.ts';
import { DEFAULT_DEADLINE_POLICY, validatePolicy } from './vulnerabilities/deadline-policy.ts';
import type { DeadlinePolicy } from './vulnerabilities/deadline-policy.ts';
import { registerVulnerabilityRoutes } from './vulnerabilities/routes.ts';

export interface AppDeps {
  db: Db;
  /** Directory of the content-addressed image store. */
  blobDir: string;
  /** Largest image accepted by an upload, in bytes (default 64 MiB). */
  maxImageBytes?: number;
  deadlinePolicy?: DeadlinePolicy;
  /** Clock, replaceable in tests. */
  now?: () => Date;
  /** What /readyz checks (default: database and migrations; main adds the broker). Read on every request. */
  readiness?: readonly ReadinessCheck[];
  /** Access and error lines (default: JSON lines on stdout at level warn, so tests stay quiet). */
  log?: Logger;
  /** Prometheus metrics, served at /metrics when given. */
  metrics?: BackendMetrics;
}

/** The HTTP API, without listening: tests call `app.request()`. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const routeDeps: RouteDeps = {
    db: deps.db,
    blobs: new BlobStore(deps.blobDir),
    maxImageBytes: deps.maxImageBytes ?? 64 * 1024 * 1024,
    policy: validatePolicy(deps.deadlinePolicy ?? DEFAULT_DEADLINE_POLICY),
    now: deps.now ?? (() => new Date()),
  };
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const errors = result.error.issues.map((i) => ({
        field: [result.target, ...i.path.map(String)].join('.'),
        message: i.message,
      }));
      const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return problemResponse(
        c,
        new ProblemError(422, 'validation-error', 'Invalid request', detail, { errors }).toBody(),
      );
    },
  });
  const log = deps.log ?? createLogger({ component: 'http', level: 'warn', format: 'json' });
  app.use('*', accessLog(log));
  if (deps.metrics) {
    const metrics = deps.metrics;
    app.use('*', metrics.http());
    app.get('/metrics', async (c) => {
      const { body, contentType } = await metrics.text();
      return c.body(body, 200, { 'content-type': contentType });
    });
  }
  app.onError((err, c) => {
    const body = problemFromError(err);
    if (body.status >= 500) log.error({ err, requestId: requestIdOf(c) }, 'request failed');
    return problemResponse(c, body);
  });
  app.notFound((c) =>
    problemResponse(
      c,
      new ProblemError(404, 'not-found', 'Not found', `no route for ${c.req.method} ${c.req.path}`).toBody(),
    ),
  );
  registerHealthRoutes(app, deps.readiness ?? [databaseReachable(deps.db), migrationsCurrent(deps.db)]);
  registerDocs(app);
  app.use('/api/*', authenticate(deps.db));
  registerUserRoutes(app, deps.db);
  registerAuditRoutes(app, deps.db);
  registerFleetRoutes(app, deps.db);
  registerVulnerabilityRoutes(app, routeDeps);
  registerReleaseRoutes(app, routeDeps);
  registerCampaignRoutes(app, routeDeps);
  // The Image repository in TUF's layout, read-only, for mirrors and any TUF client.
  app.route('/tuf', tufRoutes({ db: asDeliveryDb(deps.db), blobs: routeDeps.blobs }));
  // Mounted last: the dashboard reads the roles of the API routes registered above.
  app.route('/ui', dashboardRoutes({ db: deps.db, api: app, now: routeDeps.now, deadlinePolicy: routeDeps.policy }));
  app.get('/', (c) => c.redirect('/ui/campaigns'));
  return app;
}
