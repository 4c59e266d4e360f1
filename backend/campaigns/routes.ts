import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { ROLES } from '../users/types.ts';
import type { Role } from '../users/types.ts';
import type { AppEnv } from '../http/auth.ts';
import { actorOf } from '../http/actor.ts';
import type { RouteDeps } from '../http/deps.ts';
import { listQuery } from '../http/pagination.ts';
import { IdParam, jsonBody, jsonResponse, pageResponse, securedRoute } from '../http/route.ts';
import { quoteAuditAnchor } from '../audit/anchor-quote.ts';
import { exportEvidenceCsv, exportEvidenceJson } from './evidence.ts';
import { CAMPAIGN_MANAGERS, registerCampaignManageRoutes } from './manage-routes.ts';
import {
  Campaign,
  CampaignActionBody,
  CampaignInput,
  CampaignListQuery,
  CampaignVehicle,
  CampaignVehicleQuery,
  EvidenceQuery,
  Progress,
  VehicleReportResult,
  VehicleReports,
  WaveDecision,
} from './schemas.ts';
import {
  createCampaign,
  DEFAULT_WAVES,
  listCampaignVehicles,
  listCampaigns,
  loadCampaign,
  transitionCampaign,
} from './service.ts';
import { CAMPAIGN_ACTIONS } from './states.ts';
import type { CampaignAction } from './states.ts';
import { applyVehicleReports } from './vehicle-state.ts';
import { campaignProgress, evaluateCampaign } from './waves.ts';

const tags = ['campaigns'];
const MANAGERS = CAMPAIGN_MANAGERS;
const ACTION_ROLES: Record<CampaignAction, readonly Role[]> = {
  submit: MANAGERS,
  approve: ['approver'],
  reject: ['approver'],
  start: MANAGERS,
  pause: MANAGERS,
  resume: MANAGERS,
  complete: MANAGERS,
  cancel: MANAGERS,
};

export function registerCampaignRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  registerCampaignManageRoutes(app, deps);
  registerCampaignRecordRoutes(app, deps);
  registerCampaignActionRoutes(app, deps);
  registerCampaignRolloutRoutes(app, deps);
  registerEvidenceRoute(app, deps);
}

/** Create, list and read campaigns. */
function registerCampaignRecordRoutes(app: OpenAPIHono<AppEnv>, { db }: RouteDeps): void {
  app.openapi(
    securedRoute(MANAGERS, {
      method: 'post',
      path: '/api/campaigns',
      tags,
      summary: 'Create a draft campaign (authorized releases only; priority and deadline from linked vulnerabilities)',
      request: { body: jsonBody(CampaignInput) },
      responses: { 201: jsonResponse(Campaign, 'the draft campaign') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await createCampaign(db, actorOf(c), { ...body, waves: body.waves ?? DEFAULT_WAVES }), 201);
    },
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/campaigns',
      tags,
      summary: 'List campaigns',
      request: { query: listQuery(CampaignListQuery) },
      responses: { 200: pageResponse(Campaign) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listCampaigns(db, q, q), 200);
    },
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/campaigns/{id}',
      tags,
      summary: 'A campaign',
      request: { params: IdParam },
      responses: { 200: jsonResponse(Campaign, 'the campaign') },
    }),
    async (c) => c.json(await loadCampaign(db, c.req.valid('param').id), 200),
  );
}

/** One route per move of the campaign state machine, each guarded by the roles that may make it. */
function registerCampaignActionRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  for (const action of CAMPAIGN_ACTIONS) {
    app.openapi(
      securedRoute(ACTION_ROLES[action], {
        method: 'post',
        path: `/api/campaigns/{id}/${action}`,
        tags,
        summary: `${action[0]?.toUpperCase()}${action.slice(1)} the campaign`,
        request: { params: IdParam, body: jsonBody(CampaignActionBody) },
        responses: { 200: jsonResponse(Campaign, 'the campaign in its new state') },
      }),
      async (c) =>
        c.json(
          await transitionCampaign(
            db,
            actorOf(c),
            c.req.valid('param').id,
            { action, reason: c.req.valid('json').reason },
            deps.now(),
          ),
          200,
        ),
    );
  }
}

/** How the rollout goes: figures, vehicles, their reports and the wave rules. */
function registerCampaignRolloutRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/campaigns/{id}/progress',
      tags,
      summary: 'Overall and per-wave figures',
      request: { params: IdParam },
      responses: { 200: jsonResponse(Progress, 'the figures') },
    }),
    async (c) => c.json(await campaignProgress(db, c.req.valid('param').id), 200),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/campaigns/{id}/vehicles',
      tags,
      summary: 'Targeted vehicles and their states (ordered by VIN)',
      request: { params: IdParam, query: listQuery(CampaignVehicleQuery) },
      responses: { 200: pageResponse(CampaignVehicle) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listCampaignVehicles(db, c.req.valid('param').id, q, q), 200);
    },
  );
  app.openapi(
    securedRoute(['admin'], {
      method: 'post',
      path: '/api/campaigns/{id}/vehicle-reports',
      tags,
      summary: 'Apply vehicle state reports (idempotent; normally fed by the MQTT delivery service)',
      request: { params: IdParam, body: jsonBody(VehicleReports) },
      responses: { 200: jsonResponse(VehicleReportResult, 'what was applied, ignored and rejected') },
    }),
    async (c) => {
      const reports = c.req.valid('json').reports.map((r) => ({ ...r, at: r.at ? new Date(r.at) : undefined }));
      return c.json(await applyVehicleReports(db, c.req.valid('param').id, reports, actorOf(c)), 200);
    },
  );
  app.openapi(
    securedRoute(MANAGERS, {
      method: 'post',
      path: '/api/campaigns/{id}/evaluate',
      tags,
      summary: 'Apply the wave rules now (auto-pause, next wave after soak, completion, expiry)',
      request: { params: IdParam },
      responses: { 200: jsonResponse(WaveDecision, 'what the evaluation did') },
    }),
    async (c) => c.json(await evaluateCampaign(db, c.req.valid('param').id, deps.now()), 200),
  );
}

/** The auditors' export, streamed, with the audit head and checkpoint it covers in its headers. */
function registerEvidenceRoute(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  app.openapi(
    securedRoute(['auditor', 'campaign_manager'], {
      method: 'get',
      path: '/api/campaigns/{id}/evidence',
      tags,
      summary: 'Evidence export for auditors (JSON bundle or per-ECU CSV), streamed',
      request: { params: IdParam, query: EvidenceQuery },
      responses: {
        200: {
          description: 'the evidence',
          content: { 'application/json': { schema: z.unknown() }, 'text/csv': { schema: z.string() } },
        },
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await loadCampaign(db, id);
      const csv = c.req.valid('query').format === 'csv';
      c.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
      c.header('content-disposition', `attachment; filename="campaign-${id}-evidence.${csv ? 'csv' : 'json'}"`);
      // The audit head the export covers (verify-audit --expect-head takes it) and the latest checkpoint.
      const anchor = await quoteAuditAnchor(db, deps.auditCheckpointFile);
      c.header('x-audit-head', `${anchor.head.seq}:${anchor.head.hash}`);
      if (anchor.checkpoint) {
        c.header(
          'x-audit-checkpoint',
          `${anchor.checkpoint.seq}:${anchor.checkpoint.headHash} ${anchor.checkpoint.at}`,
        );
      }
      return stream(c, async (s) => {
        const chunks = csv ? exportEvidenceCsv(db, id) : exportEvidenceJson(db, id, anchor);
        for await (const chunk of chunks) await s.write(chunk);
      });
    },
  );
}
