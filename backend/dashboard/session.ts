import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../db/database.ts';
import { authenticate } from '../http/auth.ts';
import type { AppEnv, AuthUser } from '../http/auth.ts';

// The dashboard session is the API token itself, kept in an HttpOnly SameSite=Strict cookie: no
// session table, every backend instance can check it, and revoking the token ends the session at once.

export const SESSION_COOKIE = 'ota_session';
const COOKIE_PATH = '/ui';

export interface DashboardEnv {
  Variables: { user: AuthUser; csrf: string };
}

/**
 * Resolves a token exactly as the API does, by running the API's own `authenticate` middleware on a
 * synthetic request: one rule for which tokens are valid, not two.
 */
export function tokenResolver(db: Db): (token: string) => Promise<AuthUser | null> {
  const probe = new Hono<AppEnv>();
  probe.use(authenticate(db));
  probe.get('/', (c) => c.json(c.get('user')));
  // A failing database is not an unknown token: the error reaches the dashboard's error page (503).
  probe.onError((err) => {
    throw err;
  });
  return async (token) => {
    if (!/^[\w-]{10,200}$/.test(token)) return null;
    const res = await probe.request('/', { headers: { authorization: `Bearer ${token}` } });
    return res.ok ? ((await res.json()) as AuthUser) : null;
  };
}

/** Per-session CSRF token: an HMAC keyed by the secret API token, so only its holder can compute it. */
export function csrfTokenFor(apiToken: string): string {
  return createHmac('sha256', apiToken).update('ota-dashboard-csrf').digest('base64url');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function startSession(c: Context, apiToken: string): void {
  setCookie(c, SESSION_COOKIE, apiToken, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    maxAge: 8 * 3600,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: isHttps(c) });
}

/**
 * A state-changing request must come from this site: the browser's Origin (or, without one,
 * Sec-Fetch-Site) must match, on top of the SameSite=Strict cookie and the form's CSRF token.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin) return origin === new URL(c.req.url).origin || origin === forwardedOrigin(c);
  const site = c.req.header('sec-fetch-site');
  return site === 'same-origin';
}

function forwardedOrigin(c: Context): string | null {
  const host = c.req.header('x-forwarded-host');
  return host ? `${c.req.header('x-forwarded-proto') ?? 'http'}://${host}` : null;
}

/**
 * Nothing in the dashboard is visible without a session: pages redirect to the sign-in form, fetches
 * get 401. Unsafe methods also need the same origin and the session's CSRF token.
 */
export function requireSession(resolve: (token: string) => Promise<AuthUser | null>): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const user = token ? await resolve(token) : null;
    if (!token || !user) {
      if (token) endSession(c);
      const wantsHtml = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
      if (!wantsHtml) return c.text('sign in first', 401);
      const back = new URL(c.req.url).pathname;
      return c.redirect(`/ui/sign-in?next=${encodeURIComponent(back)}`, 303);
    }
    const csrf = csrfTokenFor(token);
    if (!['GET', 'HEAD'].includes(c.req.method)) {
      if (!sameOrigin(c)) return c.text('cross-site request refused', 403);
      const sent = c.req.header('x-csrf-token') ?? (await formField(c, '_csrf'));
      if (!sent || !sameToken(sent, csrf)) return c.text('missing or wrong CSRF token; reload the page', 403);
    }
    c.set('user', user);
    c.set('csrf', csrf);
    await next();
  };
}

async function formField(c: Context, name: string): Promise<string | null> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/x-www-form-urlencoded') && !type.includes('multipart/form-data')) return null;
  // `all: true` here, because Hono caches the first parse and the handlers read repeated fields.
  const raw = (await c.req.parseBody({ all: true }))[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value : null;
}
