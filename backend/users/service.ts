import type { Db } from '../db/database.ts';
import type { Role } from '../db/schema.ts';
import { appendAudit, SYSTEM_ACTOR } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import { hashToken, newToken } from '../http/auth.ts';
import { notFound } from '../http/problem.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import type { Page, PageQuery } from '../http/pagination.ts';

export interface User {
  id: number;
  name: string;
  roles: Role[];
  createdAt: string;
}

export interface IssuedToken {
  id: number;
  userId: number;
  name: string;
  /** Shown once; only its sha256 is stored. */
  token: string;
}

export async function createUser(db: Db, actor: Actor, input: { name: string; roles: Role[] }): Promise<User> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('users')
      .values({ name: input.name, roles: [...new Set(input.roles)] })
      .returningAll()
      .executeTakeFirstOrThrow();
    const user = { id: row.id, name: row.name, roles: row.roles, createdAt: row.created_at.toISOString() };
    await appendAudit(trx, { actor, action: 'user.create', entityType: 'user', entityId: row.id, after: user });
    return user;
  });
}

export async function listUsers(db: Db, page: PageQuery): Promise<Page<User>> {
  const after = decodeCursor<number>(page.cursor, 'number');
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .$if(after !== null, (q) => q.where('id', '>', after ?? 0))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows,
    page.limit,
    (r) => r.id,
    (r) => ({ id: r.id, name: r.name, roles: r.roles, createdAt: r.created_at.toISOString() }),
  );
}

export async function issueToken(db: Db, actor: Actor, userId: number, name: string): Promise<IssuedToken> {
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound('user', userId);
    const token = newToken();
    const row = await trx
      .insertInto('api_tokens')
      .values({ user_id: userId, name, token_sha256: hashToken(token) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      actor,
      action: 'token.issue',
      entityType: 'api_token',
      entityId: row.id,
      after: { userId, name },
    });
    return { id: row.id, userId, name, token };
  });
}

export async function revokeToken(db: Db, actor: Actor, tokenId: number, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id', 'name'])
      .executeTakeFirst();
    if (!row) throw notFound('active token', tokenId);
    await appendAudit(trx, { actor, action: 'token.revoke', entityType: 'api_token', entityId: tokenId, reason });
  });
}

/** Bootstrap for the CLI: an admin user (created when missing) and a fresh token for it. */
export async function createAdminToken(db: Db, name: string): Promise<IssuedToken> {
  const existing = await db.selectFrom('users').select(['id', 'roles']).where('name', '=', name).executeTakeFirst();
  const userId = existing ? existing.id : (await createUser(db, SYSTEM_ACTOR, { name, roles: ['admin'] })).id;
  if (existing && !existing.roles.includes('admin')) {
    throw new Error(`user ${name} exists without the admin role; choose another name`);
  }
  return issueToken(db, SYSTEM_ACTOR, userId, `${name} (created by create-admin-token)`);
}
