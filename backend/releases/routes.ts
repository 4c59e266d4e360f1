import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ROLES } from '../users/types.ts';
import type { AppEnv } from '../http/auth.ts';
import { actorOf } from '../http/actor.ts';
import type { RouteDeps } from '../http/deps.ts';
import { listQuery } from '../http/pagination.ts';
import { invalid, ProblemError } from '../http/problem.ts';
import { IdParam, jsonBody, jsonResponse, pageResponse, securedRoute } from '../http/route.ts';
import { decideAndPublish } from './authorization.ts';
import {
  AuthorizationInput,
  Base64Image,
  hardwareIdList,
  RawImageQuery,
  Release,
  ReleaseInput,
  ReleaseListQuery,
  ReleaseTransition,
  SafetyImpactAnalysisInput,
} from './schemas.ts';
import {
  attachImage,
  createRelease,
  listReleases,
  loadRelease,
  recordSafetyImpactAnalysis,
  transitionRelease,
} from './service.ts';

const tags = ['releases'];
const ENGINEERS = ['release_engineer'] as const;

/** The upload route; its body limit is the image limit, not the API's. */
export const IMAGE_UPLOAD_PATH = '/api/releases/{id}/images';

/** Characters of base64 for `bytes` bytes: the largest JSON upload of an image of that size. */
export const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

export const imageTooLarge = (limit: number) =>
  new ProblemError(413, 'image-too-large', 'Image too large', `images are limited to ${limit} bytes`);

export function registerReleaseRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  registerReleaseRecordRoutes(app, deps);
  registerImageUploadRoute(app, deps);
  registerReleaseDecisionRoutes(app, deps);
}

/** Register, list and read releases. */
function registerReleaseRecordRoutes(app: OpenAPIHono<AppEnv>, { db }: RouteDeps): void {
  app.openapi(
    securedRoute(ENGINEERS, {
      method: 'post',
      path: '/api/releases',
      tags,
      summary: 'Register a release (state available) for one hardware id',
      request: { body: jsonBody(ReleaseInput) },
      responses: { 201: jsonResponse(Release, 'the release') },
    }),
    async (c) => c.json(await createRelease(db, actorOf(c), c.req.valid('json')), 201),
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/releases',
      tags,
      summary: 'List releases',
      request: { query: listQuery(ReleaseListQuery) },
      responses: { 200: pageResponse(Release) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listReleases(db, q, q), 200);
    },
  );
  app.openapi(
    securedRoute(ROLES, {
      method: 'get',
      path: '/api/releases/{id}',
      tags,
      summary: 'A release with its images, evidence and fixed vulnerabilities',
      request: { params: IdParam },
      responses: { 200: jsonResponse(Release, 'the release') },
    }),
    async (c) => c.json(await loadRelease(db, c.req.valid('param').id), 200),
  );
}

/** Images arrive as raw bytes or base64 JSON, both held to the image limit. */
function registerImageUploadRoute(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  app.openapi(
    securedRoute(ENGINEERS, {
      method: 'post',
      path: IMAGE_UPLOAD_PATH,
      tags,
      summary: 'Upload an image: raw bytes (application/octet-stream, ?fileName=) or base64 JSON',
      request: {
        params: IdParam,
        query: RawImageQuery,
        body: {
          required: false,
          content: {
            'application/json': { schema: Base64Image },
            'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
      },
      responses: { 201: jsonResponse(Release, 'the release with the image attached') },
    }),
    async (c) => {
      const limit = deps.maxImageBytes;
      const query = c.req.valid('query');
      const isJson = (c.req.header('content-type') ?? '').includes('json');
      let upload;
      if (isJson) {
        const body = c.req.valid('json') as z.infer<typeof Base64Image>;
        const bytes = Buffer.from(body.contentBase64, 'base64');
        if (bytes.length > limit) throw imageTooLarge(limit);
        upload = { fileName: body.fileName, bytes, hardwareIds: body.hardwareIds };
      } else {
        if (!query.fileName) throw invalid('query.fileName', 'required with a raw image body');
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        if (bytes.length > limit) throw imageTooLarge(limit);
        upload = { fileName: query.fileName, bytes, hardwareIds: hardwareIdList(query.hardwareIds) };
      }
      return c.json(await attachImage(db, deps.blobs, actorOf(c), c.req.valid('param').id, upload), 201);
    },
  );
}

/** The release lifecycle: transitions, the safety impact analysis and the approver's decision. */
function registerReleaseDecisionRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const { db } = deps;
  app.openapi(
    securedRoute(ENGINEERS, {
      method: 'post',
      path: '/api/releases/{id}/transitions',
      tags,
      summary:
        'Move a release: in_test, approved (with evidence), not_approved, not_applicable, released, in_internal_test, effective',
      request: { params: IdParam, body: jsonBody(ReleaseTransition) },
      responses: { 200: jsonResponse(Release, 'the release in its new state') },
    }),
    async (c) => c.json(await transitionRelease(db, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    securedRoute(ENGINEERS, {
      method: 'put',
      path: '/api/releases/{id}/safety-impact-analysis',
      tags,
      summary: 'Record the safety impact analysis an ASIL release needs, before the authorisation decision',
      request: { params: IdParam, body: jsonBody(SafetyImpactAnalysisInput) },
      responses: { 200: jsonResponse(Release, 'the release with its analysis') },
    }),
    async (c) =>
      c.json(await recordSafetyImpactAnalysis(db, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    securedRoute(['approver'], {
      method: 'post',
      path: '/api/releases/{id}/authorization',
      tags,
      summary: 'Authorise (with evidence and, for ASIL hardware, a safety impact analysis) or refuse a release',
      request: { params: IdParam, body: jsonBody(AuthorizationInput) },
      responses: { 200: jsonResponse(Release, 'the release after the decision') },
    }),
    async (c) =>
      c.json(await decideAndPublish(db, deps.keys, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
}
