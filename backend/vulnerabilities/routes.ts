import type { OpenAPIHono } from '@hono/zod-openapi';
import { ROLES } from '../users/types.ts';
import type { AppEnv } from '../http/auth.ts';
import { actorOf } from '../http/actor.ts';
import type { RouteDeps } from '../http/deps.ts';
import { listQuery } from '../http/pagination.ts';
import { IdParam, jsonBody, jsonResponse, pageResponse, securedRoute } from '../http/route.ts';
import {
  Assessment,
  PhaseChange,
  Remediation,
  Vulnerability,
  VulnerabilityListQuery,
  VulnerabilityReport,
} from './schemas.ts';
import {
  assessVulnerability,
  changeVulnerabilityPhase,
  listVulnerabilities,
  loadVulnerability,
  recordRemediation,
  reportVulnerability,
} from './service.ts';

const tags = ['vulnerabilities'];
const HANDLERS = ['security_engineer'] as const;

export function registerVulnerabilityRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  registerVulnerabilityRecordRoutes(app, deps);
  registerVulnerabilityHandlingRoutes(app, deps);
}

/** Report, list and read vulnerabilities. */
function registerVulnerabilityRecordRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  app.openapi(
    securedRoute(HANDLERS, {
      method: 'post',
      path: '/api/vulnerabilities',
      tags,
      summary: 'Record a received vulnerability report',
      request: { body: jsonBody(VulnerabilityReport) },
      responses: { 201: jsonResponse(Vulnerability, 'the vulnerability, phase received') },
    }),
    async (c) => c.json(await reportVulnerability(db, actorOf(c), c.req.valid('json')), 201),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/vulnerabilities',
      tags,
      summary: 'List vulnerabilities (filter by phase, overdue)',
      request: { query: listQuery(VulnerabilityListQuery) },
      responses: { 200: pageResponse(Vulnerability) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listVulnerabilities(db, q, q, deps.now()), 200);
    },
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/vulnerabilities/{id}',
      tags,
      summary: 'A vulnerability with its affected vehicle count and time left',
      request: { params: IdParam },
      responses: { 200: jsonResponse(Vulnerability, 'the vulnerability') },
    }),
    async (c) => c.json(await loadVulnerability(db, c.req.valid('param').id, deps.now()), 200),
  );
}

/** Handling: assessment (which sets the deadline), remediation and phase changes. */
function registerVulnerabilityHandlingRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  const options = () => ({ policy: deps.policy, now: deps.now() });
  app.openapi(
    securedRoute(HANDLERS, {
      method: 'put',
      path: '/api/vulnerabilities/{id}/assessment',
      tags,
      summary: 'Record the assessment (CVSS v3.1 or v4.0 vector); sets severity and delivery deadline',
      request: { params: IdParam, body: jsonBody(Assessment) },
      responses: { 200: jsonResponse(Vulnerability, 'the assessed vulnerability') },
    }),
    async (c) =>
      c.json(await assessVulnerability(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'), options()), 200),
  );
  app.openapi(
    securedRoute(HANDLERS, {
      method: 'put',
      path: '/api/vulnerabilities/{id}/remediation',
      tags,
      summary: 'Record the remediation and an optional disclosure embargo',
      request: { params: IdParam, body: jsonBody(Remediation) },
      responses: { 200: jsonResponse(Vulnerability, 'the vulnerability') },
    }),
    async (c) => c.json(await recordRemediation(db, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    securedRoute(HANDLERS, {
      method: 'post',
      path: '/api/vulnerabilities/{id}/transitions',
      tags,
      summary:
        'Move to another handling phase (received, reviewing, needs_info, assessing, addressing, disclosed, closed, rejected)',
      request: { params: IdParam, body: jsonBody(PhaseChange) },
      responses: { 200: jsonResponse(Vulnerability, 'the vulnerability in its new phase') },
    }),
    async (c) =>
      c.json(
        await changeVulnerabilityPhase(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'), options()),
        200,
      ),
  );
}
