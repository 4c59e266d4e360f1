import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/database.ts';
import { ROLES } from '../db/schema.ts';
import type { AppEnv } from '../http/auth.ts';
import { PageQuery, pageOf } from '../http/pagination.ts';
import { IdParam, jsonBody, jsonResponse, Reason, securedRoute } from '../http/route.ts';
import { createUser, issueToken, listUsers, revokeToken } from './service.ts';
import { actorOf } from '../http/actor.ts';

const User = z
  .object({ id: z.number().int(), name: z.string(), roles: z.array(z.enum(ROLES)), createdAt: z.string() })
  .openapi('User');
const NewUser = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w.@ -]+$/, 'letters, digits, space, . _ - @ only'),
  roles: z.array(z.enum(ROLES)).max(ROLES.length),
});
const IssuedToken = z
  .object({ id: z.number().int(), userId: z.number().int(), name: z.string(), token: z.string() })
  .openapi('IssuedToken');

export function registerUserRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
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
      responses: { 200: jsonResponse(pageOf(User), 'a page of users') },
    }),
    async (c) => c.json(await listUsers(db, c.req.valid('query')), 200),
  );
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
}
