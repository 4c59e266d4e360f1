import type { Db } from '../db/database.ts';
import type { Role } from './types.ts';
import { appendAudit, SYSTEM_ACTOR } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import { applyAudited } from '../audit/audited-change.ts';
import { hashToken, newToken } from '../http/auth.ts';
import { conflict, notFound } from '../http/problem.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import type { Page, PageQuery } from '../http/pagination.ts';

export interface User {
  id: number;
  name: string;
  roles: Role[];
  createdAt: string;
  /** When the user was disabled (their tokens no longer authenticate), or null. */
  disabledAt: string | null;
}

/** A token as an admin sees it: never the token itself, which exists only when issued. */
export interface TokenSummary {
  id: number;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

type UserRow = { id: number; name: string; roles: Role[]; created_at: Date; disabled_at: Date | null };

function toUser(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    roles: r.roles,
    createdAt: r.created_at.toISOString(),
    disabledAt: r.disabled_at?.toISOString() ?? null,
  };
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
    const user = toUser(row);
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
  return toPage(rows, page.limit, (r) => r.id, toUser);
}

export async function loadUser(db: Db, id: number): Promise<User> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('user', id);
  return toUser(row);
}

export async function listTokens(db: Db, userId: number): Promise<TokenSummary[]> {
  await loadUser(db, userId);
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** Admins cannot lock themselves out: someone else takes away their admin role or disables them. */
function refuseSelfLockout(actor: Actor, userId: number, what: string): void {
  if (actor.userId === userId) throw conflict(`you cannot ${what} yourself; ask another admin`, 'self-lockout');
}

export async function setUserRoles(db: Db, actor: Actor, id: number, roles: Role[], reason: string): Promise<User> {
  const unique = [...new Set(roles)];
  if (!unique.includes('admin')) refuseSelfLockout(actor, id, 'take the admin role from');
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw notFound('user', id);
    const user = await applyAudited(
      trx,
      { actor, action: 'user.roles', entityType: 'user', entityId: id, reason },
      {
        before: { roles: before.roles },
        apply: () =>
          trx.updateTable('users').set({ roles: unique }).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
        after: (row) => ({ roles: row.roles }),
      },
    );
    return toUser(user);
  });
}

/** Disables (or enables again) a user: while disabled, none of their tokens authenticates. */
export async function setUserDisabled(
  db: Db,
  actor: Actor,
  id: number,
  disabled: boolean,
  reason: string,
): Promise<User> {
  if (disabled) refuseSelfLockout(actor, id, 'disable');
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw notFound('user', id);
    if ((before.disabled_at !== null) === disabled) {
      throw conflict(`user ${before.name} is already ${disabled ? 'disabled' : 'enabled'}`);
    }
    const row = await trx
      .updateTable('users')
      .set({ disabled_at: disabled ? new Date() : null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const action = disabled ? 'user.disable' : 'user.enable';
    await appendAudit(trx, { actor, action, entityType: 'user', entityId: id, reason });
    return toUser(row);
  });
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
