import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ROLES } from '../users/types.ts';
import type { AppEnv } from '../http/auth.ts';
import { actorOf } from '../http/actor.ts';
import type { RouteDeps } from '../http/deps.ts';
import { invalid } from '../http/problem.ts';
import { IdParam, jsonBody, jsonResponse, securedRoute } from '../http/route.ts';
import { AdvisoryError } from './advisories/advisory.ts';
import { parseAdvisoryJson, parseAdvisoryZip } from './advisories/read.ts';
import { importAdvisories } from './advisories/service.ts';
import { listFindings } from './matching/findings.ts';
import { runMatching } from './matching/service.ts';
import {
  Finding,
  ImportSummary,
  MatchRun,
  ReleaseComponent,
  ReleaseVulnParams,
  Sha256Param,
  StoredSbom,
  VexDecision,
  VexExportQuery,
  VexStatement,
} from './monitoring-schemas.ts';
import { listReleaseComponents, storeSbom } from './sbom/service.ts';
import { exportVex } from './vex/export.ts';
import { decideVex, listVex } from './vex/service.ts';

const tags = ['vulnerability monitoring'];
const SECURITY = ['security_engineer'] as const;

function readAdvisories(body: unknown, zip: Uint8Array | null) {
  try {
    return zip ? parseAdvisoryZip(zip) : parseAdvisoryJson(body);
  } catch (err) {
    if (err instanceof AdvisoryError)
      throw invalid(`body${err.path.startsWith('/') ? '' : ':'}${err.path}`, err.message);
    throw err;
  }
}

export function registerMonitoringRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  registerSbomRoutes(app, deps);
  registerAdvisoryRoutes(app, deps);
  registerVexRoutes(app, deps);
}

/** A release's SBOMs and the components they list. */
function registerSbomRoutes(app: OpenAPIHono<AppEnv>, { db }: RouteDeps): void {
  app.openapi(
    securedRoute(['release_engineer', 'security_engineer'], {
      method: 'put',
      path: '/api/releases/{id}/images/{sha256}/sbom',
      tags,
      summary: "Store an image's SBOM (CycloneDX 1.5/1.6 JSON or SPDX 2.3 JSON) and match its components",
      request: { params: Sha256Param, body: jsonBody(z.record(z.string(), z.unknown())) },
      responses: { 200: jsonResponse(StoredSbom, 'the stored SBOM and what matching found') },
    }),
    async (c) => {
      const { id, sha256 } = c.req.valid('param');
      return c.json(await storeSbom(db, actorOf(c), id, sha256, c.req.valid('json')), 200);
    },
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/releases/{id}/components',
      tags,
      summary: "A release's components from the SBOMs of its images",
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.array(ReleaseComponent), 'the components') },
    }),
    async (c) => c.json(await listReleaseComponents(db, c.req.valid('param').id), 200),
  );
}

/** Advisories in, matched against the components, findings out. */
function registerAdvisoryRoutes(app: OpenAPIHono<AppEnv>, { db }: RouteDeps): void {
  app.openapi(
    securedRoute(SECURITY, {
      method: 'post',
      path: '/api/advisories',
      tags,
      summary: 'Import advisories: an OSV record, an array of them, a CSAF 2.0 document (JSON) or an OSV export zip',
      request: {
        body: {
          required: true,
          content: {
            'application/json': { schema: z.unknown() },
            'application/zip': { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
      },
      responses: { 200: jsonResponse(ImportSummary, 'what was created, replaced and left unchanged') },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      const zip = type.includes('zip') ? new Uint8Array(await c.req.arrayBuffer()) : null;
      const advisories = readAdvisories(zip ? null : c.req.valid('json'), zip);
      return c.json(await importAdvisories(db, actorOf(c), advisories), 200);
    },
  );
  app.openapi(
    securedRoute(SECURITY, {
      method: 'post',
      path: '/api/vulnerability-matching',
      tags,
      summary: 'Match every SBOM component against every advisory now (idempotent)',
      responses: { 200: jsonResponse(MatchRun, 'what this run added') },
    }),
    async (c) => c.json(await runMatching(db, actorOf(c), { all: true }), 200),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/findings',
      tags,
      summary: 'Findings (advisory x release component), newest first',
      request: { query: z.object({ vulnerabilityId: z.coerce.number().int().positive().optional() }) },
      responses: { 200: jsonResponse(z.array(Finding), 'the findings') },
    }),
    async (c) => c.json(await listFindings(db, c.req.valid('query')), 200),
  );
}

/** VEX statements: recorded per release and vulnerability, exported as a document. */
function registerVexRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  app.openapi(
    securedRoute(SECURITY, {
      method: 'put',
      path: '/api/releases/{id}/vex/{vulnerabilityId}',
      tags,
      summary: 'Record the VEX status of a release for a vulnerability (not_affected needs a justification)',
      request: { params: ReleaseVulnParams, body: jsonBody(VexDecision) },
      responses: { 200: jsonResponse(VexStatement, 'the statement') },
    }),
    async (c) => {
      const { id, vulnerabilityId } = c.req.valid('param');
      const body = c.req.valid('json');
      return c.json(await decideVex(db, actorOf(c), id, vulnerabilityId, body, deps.now()), 200);
    },
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/releases/{id}/vex',
      tags,
      summary: "A release's VEX statements as a CycloneDX 1.6 VEX or a CSAF 2.0 VEX document",
      request: { params: IdParam, query: VexExportQuery },
      responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), 'the VEX document') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const statements = await listVex(db, { releaseId: id });
      return c.json(await exportVex(db, id, statements, c.req.valid('query').format, deps.now()), 200);
    },
  );
}
