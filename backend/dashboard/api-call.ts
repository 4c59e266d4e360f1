import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { ProblemError } from '../http/problem.ts';
import type { ProblemBody } from '../http/problem.ts';
import type { ApiRegistry } from './api-roles.ts';
import { SESSION_COOKIE } from './session.ts';

/**
 * A GET on the API as the signed-in user (the session is their API token): the API's own handler,
 * roles and response, for downloads the dashboard hands through unchanged. A refusal is thrown as the
 * API's problem, so the dashboard shows it on its error page instead of raw JSON.
 */
export async function apiGetAsUser(api: ApiRegistry, c: Context, path: `/api/${string}`): Promise<Response> {
  const token = getCookie(c, SESSION_COOKIE) ?? '';
  const res = await api.request(path, { headers: { authorization: `Bearer ${token}` } });
  if (res.ok) return res;
  const problem = (await res.json().catch(() => ({}))) as Partial<ProblemBody>;
  throw new ProblemError(
    res.status as ProblemError['status'],
    'api-refused',
    problem.title ?? 'Refused',
    problem.detail ?? `the API answered ${res.status}`,
  );
}
