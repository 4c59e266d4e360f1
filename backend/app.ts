import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import { registerAuditRoutes } from './audit/routes.ts';
import { registerCampaignRoutes } from './campaigns/routes.ts';
import { BlobStore } from './blobs/store.ts';
import type { Db } from './db/database.ts';
import { registerFleetRoutes } from './fleet/routes.ts';
import { authenticate, userForAuthorization } from './http/auth.ts';
import type { AppEnv } from './http/auth.ts';
import type { RouteDeps } from './http/deps.ts';
import { DEFAULT_MAX_BODY_BYTES, limitBodies } from './http/body-limit.ts';
import { registerDocs } from './http/docs.ts';
import { refuseNul } from './http/refuse-nul.ts';
import { problemFromError, problemResponse, ProblemError } from './http/problem.ts';
import type { KeySet } from './keys/key-set.ts';
import { accessLog, requestIdOf } from './observability/access-log.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import type { BackendMetrics } from './observability/metrics.ts';
import { registerHealthRoutes } from './ops/health-routes.ts';
import { databaseReachable, migrationsCurrent, type ReadinessCheck } from './ops/readiness.ts';
import { base64Length, IMAGE_UPLOAD_PATH, registerReleaseRoutes } from './releases/routes.ts';
import { registerUserRoutes } from './users/routes.ts';
import { DASHBOARD_IMAGE_UPLOAD_PATH } from './dashboard/release-pages.tsx';
import { dashboardRoutes } from './dashboard/routes.tsx';
import { tufRoutes } from './tuf-repo/routes.ts';
import { DEFAULT_DEADLINE_POLICY, validatePolicy } from './vulnerabilities/deadline-policy.ts';
import type { DeadlinePolicy } from './vulnerabilities/deadline-policy.ts';
import { registerVulnerabilityRoutes } from './vulnerabilities/routes.ts';
import { registerMonitoringRoutes } from './vulnerabilities/monitoring-routes.ts';
import { registerSecurityEventRoutes } from './security-events/routes.ts';

export interface AppDeps {
  db: Db;
  /** Directory of the content-addressed image store. */
  blobDir: string;
  /** Largest image accepted by an upload, in bytes (default 64 MiB). */
  maxImageBytes?: number;
  /** Largest request body of every other route, in bytes (default 4 MiB). */
  maxBodyBytes?: number;
  /** The signing keys: with them, authorising a release re-signs the Image repository at once. */
  keys?: KeySet;
  deadlinePolicy?: DeadlinePolicy;
  /** The signed audit checkpoints (backend/audit/checkpointer.ts) an evidence export quotes. */
  auditCheckpointFile?: string;
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
    keys: deps.keys,
    auditCheckpointFile: deps.auditCheckpointFile ?? null,
  };
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationProblem });
  const log = deps.log ?? createLogger({ component: 'http', level: 'warn', format: 'json' });
  app.use('*', accessLog(log));
  if (deps.metrics) registerMetrics(app, deps.metrics);
  registerProblemHandlers(app, log);
  // Before anything reads a body: its size.
  app.use(
    '*',
    limitBodies({
      defaultBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      routes: {
        [`POST ${IMAGE_UPLOAD_PATH}`]: base64Length(routeDeps.maxImageBytes) + 64 * 1024,
        [`POST ${DASHBOARD_IMAGE_UPLOAD_PATH}`]: routeDeps.maxImageBytes + 64 * 1024,
      },
    }),
  );
  registerHealthRoutes(app, deps.readiness ?? [databaseReachable(deps.db), migrationsCurrent(deps.db)]);
  registerDocs(app);
  app.use('/api/*', authenticate(deps.db));
  // U+0000 anywhere in the request, once the caller is known (an anonymous body is not parsed).
  app.use('*', refuseNul());
  registerApiRoutes(app, routeDeps);
  mountRepositoryAndDashboard(app, routeDeps);
  app.get('/', (c) => c.redirect('/ui/campaigns'));
  return app;
}

/** A request that fails its route's schema: 422 problem+json naming each field. */
const validationProblem: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return undefined;
  const errors = result.error.issues.map((i) => ({
    field: [result.target, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return problemResponse(c, new ProblemError(422, 'validation-error', 'Invalid request', detail, { errors }).toBody());
};

function registerMetrics(app: OpenAPIHono<AppEnv>, metrics: BackendMetrics): void {
  app.use('*', metrics.http());
  app.get('/metrics', async (c) => {
    const { body, contentType } = await metrics.text();
    return c.body(body, 200, { 'content-type': contentType });
  });
}

/** Every error and unknown route answers problem+json; a 5xx is logged with its request id. */
function registerProblemHandlers(app: OpenAPIHono<AppEnv>, log: Logger): void {
  app.onError((err, c) => {
    const body = problemFromError(err);
    const id = requestIdOf(c);
    if (body.status === 503) log.warn({ requestId: id, err }, body.detail ?? 'service unavailable');
    else if (body.status >= 500) {
      log.error({ err, requestId: id }, 'request failed');
      body.requestId = id;
    }
    return problemResponse(c, body);
  });
  app.notFound((c) =>
    problemResponse(
      c,
      new ProblemError(404, 'not-found', 'Not found', `no route for ${c.req.method} ${c.req.path}`).toBody(),
    ),
  );
}

/** The API, one route group per domain (this order is the OpenAPI document's). */
function registerApiRoutes(app: OpenAPIHono<AppEnv>, routeDeps: RouteDeps): void {
  const { db } = routeDeps;
  registerUserRoutes(app, db);
  registerAuditRoutes(app, db);
  registerFleetRoutes(app, db);
  registerVulnerabilityRoutes(app, routeDeps);
  registerMonitoringRoutes(app, routeDeps);
  registerReleaseRoutes(app, routeDeps);
  registerCampaignRoutes(app, routeDeps);
  registerSecurityEventRoutes(app, db);
}

function mountRepositoryAndDashboard(app: OpenAPIHono<AppEnv>, routeDeps: RouteDeps): void {
  const { db } = routeDeps;
  // The Image repository in TUF's layout, read-only, for mirrors and any TUF client.
  app.route(
    '/tuf',
    tufRoutes({
      db: db,
      blobs: routeDeps.blobs,
      resolveUser: (header) => userForAuthorization(db, header),
    }),
  );
  // Mounted last: the dashboard reads the roles of the API routes registered above.
  app.route(
    '/ui',
    dashboardRoutes({
      db,
      api: app,
      now: routeDeps.now,
      deadlinePolicy: routeDeps.policy,
      images: { blobs: routeDeps.blobs, maxBytes: routeDeps.maxImageBytes },
      keys: routeDeps.keys,
    }),
  );
}
