import { createHash, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import type { Db } from '../db/database.ts';
import type { Role } from '../users/types.ts';
import { ProblemError, problemResponse } from './problem.ts';

export interface AuthUser {
  id: number;
  name: string;
  roles: readonly Role[];
}
export interface AppEnv {
  Variables: { user: AuthUser } & RequestIdVariables;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `ota_${randomBytes(32).toString('base64url')}`;
}

/** The user an `Authorization: Bearer <token>` header names, or why there is none. */
export async function userForAuthorization(
  db: Db,
  header: string | undefined,
): Promise<AuthUser | 'missing' | 'unknown'> {
  const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header ?? '');
  if (!match?.[1]) return 'missing';
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.id', 'u.name', 'u.roles'])
    .where('t.token_sha256', '=', hashToken(match[1]))
    .where('t.revoked_at', 'is', null)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, roles: row.roles } : 'unknown';
}

/** Resolves `Authorization: Bearer <token>` to a user; only the token's sha256 is stored. */
export function authenticate(db: Db): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = await userForAuthorization(db, c.req.header('authorization'));
    if (user === 'missing') {
      return problemResponse(c, unauthorized('send Authorization: Bearer <API token>').toBody());
    }
    if (user === 'unknown') return problemResponse(c, unauthorized('the API token is unknown or revoked').toBody());
    c.set('user', user);
    await next();
  };
}

export const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', 'Unauthorized', detail);

/** The route-level guard: the user must hold at least one of the route's roles. */
export function requireRoles(roles: readonly Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (!user.roles.some((r) => roles.includes(r))) {
      return problemResponse(
        c,
        new ProblemError(403, 'forbidden', 'Forbidden', `this action needs one of the roles: ${roles.join(', ')}`, {
          requiredRoles: roles,
        }).toBody(),
      );
    }
    await next();
  };
}
