// /livez: the process answers (restart it when not). /readyz: it can serve (send it traffic when so):
// 200 with each check's "ok", or a problem+json 503 naming what is not ready, with a retry hint.
import type { Hono } from 'hono';
import { problemResponse, type ProblemBody } from '../http/problem.ts';
import { checkReadiness, type ReadinessCheck } from './readiness.ts';

/** Seconds a client or load balancer should wait before asking again. */
export const READY_RETRY_AFTER_SECONDS = 5;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app environment: these routes use none of it
export function registerHealthRoutes(app: Hono<any>, checks: readonly ReadinessCheck[]): void {
  app.get('/livez', (c) => c.json({ status: 'live' }));
  app.get('/readyz', async (c) => {
    const result = await checkReadiness(checks);
    if (result.ready) return c.json({ status: 'ready', checks: result.checks });
    const reasons = Object.entries(result.checks).filter(([, why]) => why !== 'ok');
    const body: ProblemBody = {
      type: 'https://ota.example/problems/not-ready',
      title: 'Not ready',
      status: 503,
      detail: reasons.map(([name, why]) => `${name}: ${why}`).join('; '),
      checks: result.checks,
    };
    c.header('Retry-After', String(READY_RETRY_AFTER_SECONDS));
    return problemResponse(c, body);
  });
}
