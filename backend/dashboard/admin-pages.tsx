import type { Context } from 'hono';
import { sql } from 'kysely';
import { ROLES } from '../users/types.ts';
import type { IssuedToken } from '../users/service.ts';
import { listTokens, listUsers, loadUser } from '../users/service.ts';
import { apiAsUser, formErrors } from './api-call.ts';
import { pageShell, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { setFlash, takeFlash } from './flash.ts';
import { RolesPage, UserPage, UsersPage } from './pages/admin.tsx';
import type { FormState, UserPageProps } from './pages/admin.tsx';
import type { DashboardEnv } from './session.ts';
import { pathId } from './path-id.ts';

// The admin's pages. Every change goes through the API's own route as the signed-in admin, so the
// rules (name pattern, unique names, no self-lockout), the roles and the audit entry are the API's.

const LABELS = { name: 'Name', roles: 'Roles', reason: 'Reason' };

type Form = Record<string, string | File | (string | File)[]>;
const text = (form: Form, name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
const list = (form: Form, name: string) =>
  ([] as unknown[]).concat(form[name] ?? []).filter((v): v is string => typeof v === 'string');

export function registerAdminPages(app: DashboardApp, ctx: PageContext): void {
  registerUserListPages(app, ctx);
  registerUserPages(app, ctx);
  registerTokenForms(app, ctx);
  registerRolesPage(app, ctx);
}

async function usersPage(ctx: PageContext, c: Context<DashboardEnv>, newUser?: FormState) {
  const users = await listUsers(ctx.db, { limit: 500 });
  const canCreate = ctx.roles.allows(c.get('user'), 'post /api/users');
  const page = (
    <UsersPage {...pageShell(c)} users={users.items} canCreate={canCreate} newUser={newUser} flash={takeFlash(c)} />
  );
  return c.html(page, newUser ? 422 : 200);
}

async function userPage(ctx: PageContext, c: Context<DashboardEnv>, id: number, extra: Partial<UserPageProps> = {}) {
  const [subject, tokens] = await Promise.all([loadUser(ctx.db, id), listTokens(ctx.db, id)]);
  const refused = extra.forms && Object.keys(extra.forms).length > 0;
  return c.html(
    <UserPage {...pageShell(c)} subject={subject} tokens={tokens} flash={takeFlash(c)} {...extra} />,
    refused ? 422 : 200,
  );
}

/** The users list and the create form on it. */
function registerUserListPages(app: DashboardApp, ctx: PageContext): void {
  app.get('/admin/users', requireOperation(ctx.roles, 'get /api/users'), (c) => usersPage(ctx, c));
  app.post('/admin/users', requireOperation(ctx.roles, 'post /api/users'), async (c) => {
    const form = await c.req.parseBody({ all: true });
    const values = { name: text(form, 'name'), roles: list(form, 'roles') };
    const res = await apiAsUser<{ id: number; name: string }>(ctx.api, c, 'POST', '/api/users', values);
    if (!res.ok) return usersPage(ctx, c, { values, errors: formErrors(res.problem, LABELS) });
    setFlash(c, { kind: 'ok', text: `User ${res.body.name} created; create a token for them below.` });
    return c.redirect(`/ui/admin/users/${res.body.id}`, 303);
  });
}

/** One user: their page, their roles, disabling and enabling them. */
function registerUserPages(app: DashboardApp, ctx: PageContext): void {
  const canManage = requireOperation(ctx.roles, 'get /api/users/{id}/tokens');
  app.get('/admin/users/:id', canManage, (c) => userPage(ctx, c, pathId(c.req.param('id'), 'user')));

  app.post('/admin/users/:id/roles', requireOperation(ctx.roles, 'put /api/users/{id}/roles'), async (c) => {
    const id = pathId(c.req.param('id'), 'user');
    const form = await c.req.parseBody({ all: true });
    const values = { roles: list(form, 'roles'), reason: text(form, 'reason') };
    const res = await apiAsUser(ctx.api, c, 'PUT', `/api/users/${id}/roles`, values);
    if (!res.ok) return userPage(ctx, c, id, { forms: { roles: { values, errors: formErrors(res.problem, LABELS) } } });
    setFlash(c, { kind: 'ok', text: 'Roles saved.' });
    return c.redirect(`/ui/admin/users/${id}`, 303);
  });

  for (const verb of ['disable', 'enable'] as const) {
    app.post(`/admin/users/:id/${verb}`, requireOperation(ctx.roles, `post /api/users/{id}/${verb}`), async (c) => {
      const id = pathId(c.req.param('id'), 'user');
      const values = { reason: text(await c.req.parseBody(), 'reason') };
      const res = await apiAsUser(ctx.api, c, 'POST', `/api/users/${id}/${verb}`, values);
      if (!res.ok)
        return userPage(ctx, c, id, { forms: { state: { values, errors: formErrors(res.problem, LABELS) } } });
      setFlash(c, {
        kind: 'ok',
        text: verb === 'disable' ? 'User disabled: their tokens no longer work.' : 'User enabled.',
      });
      return c.redirect(`/ui/admin/users/${id}`, 303);
    });
  }
}

/** Issuing (the token shown once, on this response only) and revoking a user's API tokens. */
function registerTokenForms(app: DashboardApp, ctx: PageContext): void {
  app.post('/admin/users/:id/tokens', requireOperation(ctx.roles, 'post /api/users/{id}/tokens'), async (c) => {
    const id = pathId(c.req.param('id'), 'user');
    const values = { name: text(await c.req.parseBody(), 'name') };
    const res = await apiAsUser<IssuedToken>(ctx.api, c, 'POST', `/api/users/${id}/tokens`, values);
    const labels = { name: 'Token name' };
    if (!res.ok) return userPage(ctx, c, id, { forms: { token: { values, errors: formErrors(res.problem, labels) } } });
    // Rendered here, not after a redirect: the token must never sit in a cookie or a URL.
    return userPage(ctx, c, id, { issued: res.body });
  });

  app.post(
    '/admin/users/:id/tokens/:tokenId/revoke',
    requireOperation(ctx.roles, 'post /api/tokens/{id}/revoke'),
    async (c) => {
      const id = pathId(c.req.param('id'), 'user');
      const tokenId = pathId(c.req.param('tokenId'), 'user');
      const values = { reason: text(await c.req.parseBody(), 'reason') };
      const res = await apiAsUser(ctx.api, c, 'POST', `/api/tokens/${tokenId}/revoke`, values);
      if (!res.ok) {
        const revoke = { values, errors: formErrors(res.problem, LABELS), tokenId };
        return userPage(ctx, c, id, { forms: { revoke } });
      }
      setFlash(c, { kind: 'ok', text: 'Token revoked.' });
      return c.redirect(`/ui/admin/users/${id}`, 303);
    },
  );
}

/** Each role: how many active users hold it and which API operations it allows. */
function registerRolesPage(app: DashboardApp, ctx: PageContext): void {
  app.get('/admin/roles', requireOperation(ctx.roles, 'get /api/users'), async (c) => {
    const counts = await ctx.db
      .selectFrom(sql<{ role: string }>`(SELECT unnest(roles) AS role FROM users WHERE disabled_at IS NULL)`.as('r'))
      .select(['role', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('role')
      .execute();
    const roles = ROLES.map((role) => ({
      role,
      holders: Number(counts.find((r) => r.role === role)?.n ?? 0),
      operations: ctx.roles.operationsOf(role),
    }));
    return c.html(<RolesPage user={c.get('user')} csrf={c.get('csrf')} roles={roles} />);
  });
}
