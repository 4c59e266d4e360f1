import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/database.ts';
import { ROLES } from '../users/types.ts';
import { actorOf } from '../http/actor.ts';
import type { AppEnv } from '../http/auth.ts';
import { jsonBody, jsonResponse, pageResponse, securedRoute } from '../http/route.ts';
import {
  IsolateBody,
  SecurityEventDetail,
  SecurityEventIdParam,
  SecurityEventQuery,
  StoredSecurityEvent,
} from './schemas.ts';
import {
  isolateVehicleFromEvent,
  listSecurityEvents,
  openVulnerabilityFromEvent,
  securityEventWithProposals,
} from './service.ts';

/** Who may act on an event: the roles that may change a vehicle's lifecycle and handle vulnerabilities. */
export const SECURITY_RESPONDERS = ['admin', 'security_engineer'] as const;
const tags = ['security events'];

export function registerSecurityEventRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/security-events',
      tags,
      summary: 'List vehicle security events, newest first (filter by vehicle, type, severity, time)',
      request: { query: SecurityEventQuery },
      responses: { 200: pageResponse(StoredSecurityEvent, 'a page of events') },
    }),
    async (c) => c.json(await listSecurityEvents(db, c.req.valid('query')), 200),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/security-events/{id}',
      tags,
      summary: 'One security event with the actions the rules propose',
      request: { params: SecurityEventIdParam },
      responses: { 200: jsonResponse(SecurityEventDetail, 'the event') },
    }),
    async (c) => {
      const { event, proposals } = await securityEventWithProposals(db, c.req.valid('param').id);
      return c.json({ event, proposals }, 200);
    },
  );
  app.openapi(
    securedRoute(SECURITY_RESPONDERS, {
      method: 'post',
      path: '/api/security-events/{id}/open-vulnerability',
      tags,
      summary: 'Confirm the proposal: open a vulnerability from this event (409 when no rule proposes it)',
      request: { params: SecurityEventIdParam },
      responses: { 200: jsonResponse(StoredSecurityEvent, 'the event, linked to the new vulnerability') },
    }),
    async (c) => c.json(await openVulnerabilityFromEvent(db, actorOf(c), c.req.valid('param').id), 200),
  );
  app.openapi(
    securedRoute(SECURITY_RESPONDERS, {
      method: 'post',
      path: '/api/security-events/{id}/isolate-vehicle',
      tags,
      summary: "Confirm the proposal: isolate the event's vehicle (409 when no rule proposes it)",
      request: { params: SecurityEventIdParam, body: jsonBody(IsolateBody) },
      responses: { 200: jsonResponse(StoredSecurityEvent, 'the event, with the isolation time') },
    }),
    async (c) =>
      c.json(await isolateVehicleFromEvent(db, actorOf(c), c.req.valid('param').id, c.req.valid('json').reason), 200),
  );
}
