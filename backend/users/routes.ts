import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/database.ts';
import { ROLES } from './types.ts';
import type { AppEnv } from '../http/auth.ts';
import { PageQuery } from '../http/pagination.ts';
import { IdParam, jsonBody, jsonResponse, pageResponse, Reason, securedRoute } from '../http/route.ts';
import {
  createUser,
  issueToken,
  listTokens,
  listUsers,
  revokeToken,
  setUserDisabled,
  setUserRoles,
} from './service.ts';
import { actorOf } from '../http/actor.ts';

const User = z
  .object({
    id: z.number().int(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi('User');
const Roles = z.array(z.enum(ROLES)).max(ROLES.length);
const TokenSummary = z
  .object({ id: z.number().int(), name: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })
  .openapi('TokenSummary');
const NewUser = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w.@ -]+$/, 'letters, digits, space, . _ - @ only'),
  roles: Roles,
});
const IssuedToken = z
  .object({ id: z.number().int(), userId: z.number().int(), name: z.string(), token: z.string() })
  .openapi('IssuedToken');

export function registerUserRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  registerUserAccountRoutes(app, db);
  registerTokenRoutes(app, db);
  registerUserAccessRoutes(app, db);
}

function registerUserAccountRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  app.openapi(
    securedRoute(['admin'], {
      method: 'post',
      path: '/api/users',
      tags: ['users'],
      summary: 'Create a user with roles',
      request: { body: jsonBody(NewUser) },
      responses: { 201: jsonResponse(User, 'the user') },
    }),
    async (c) => c.json(await createUser(db, actorOf(c), c.req.valid('json')), 201),
  );
  app.openapi(
    securedRoute(['admin', 'auditor'], {
      method: 'get',
      path: '/api/users',
      tags: ['users'],
      summary: 'List users',
      request: { query: PageQuery },
      responses: { 200: pageResponse(User, 'a page of users') },
    }),
    async (c) => c.json(await listUsers(db, c.req.valid('query')), 200),
  );
}

/** API tokens: issued (shown once), revoked, listed without their secrets. */
function registerTokenRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  app.openapi(
    securedRoute(['admin'], {
      method: 'post',
      path: '/api/users/{id}/tokens',
      tags: ['users'],
      summary: 'Issue an API token (shown once)',
      request: { params: IdParam, body: jsonBody(z.object({ name: z.string().trim().min(1).max(100) })) },
      responses: { 201: jsonResponse(IssuedToken, 'the token, shown only now') },
    }),
    async (c) => c.json(await issueToken(db, actorOf(c), c.req.valid('param').id, c.req.valid('json').name), 201),
  );
  app.openapi(
    securedRoute(['admin'], {
      method: 'post',
      path: '/api/tokens/{id}/revoke',
      tags: ['users'],
      summary: 'Revoke an API token',
      request: { params: IdParam, body: jsonBody(z.object({ reason: Reason })) },
      responses: { 204: { description: 'revoked' } },
    }),
    async (c) => {
      await revokeToken(db, actorOf(c), c.req.valid('param').id, c.req.valid('json').reason);
      return c.body(null, 204);
    },
  );
  app.openapi(
    securedRoute(['admin'], {
      method: 'get',
      path: '/api/users/{id}/tokens',
      tags: ['users'],
      summary: "A user's API tokens (names and dates; the tokens themselves are never stored)",
      request: { params: IdParam },
      responses: { 200: jsonResponse(z.object({ items: z.array(TokenSummary) }), 'the tokens, oldest first') },
    }),
    async (c) => c.json({ items: await listTokens(db, c.req.valid('param').id) }, 200),
  );
}

/** What a user may do: their roles, and whether they may act at all. */
function registerUserAccessRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  app.openapi(
    securedRoute(['admin'], {
      method: 'put',
      path: '/api/users/{id}/roles',
      tags: ['users'],
      summary: "Replace a user's roles (an admin cannot take their own admin role)",
      request: { params: IdParam, body: jsonBody(z.object({ roles: Roles, reason: Reason })) },
      responses: { 200: jsonResponse(User, 'the user') },
    }),
    async (c) => {
      const { roles, reason } = c.req.valid('json');
      return c.json(await setUserRoles(db, actorOf(c), c.req.valid('param').id, roles, reason), 200);
    },
  );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.openapi(
      securedRoute(['admin'], {
        method: 'post',
        path: `/api/users/{id}/${verb}`,
        tags: ['users'],
        summary: disabled
          ? 'Disable a user: none of their tokens authenticates until enabled (not oneself)'
          : 'Enable a disabled user again',
        request: { params: IdParam, body: jsonBody(z.object({ reason: Reason })) },
        responses: { 200: jsonResponse(User, 'the user') },
      }),
      async (c) =>
        c.json(
          await setUserDisabled(db, actorOf(c), c.req.valid('param').id, disabled, c.req.valid('json').reason),
          200,
        ),
    );
  }
}
