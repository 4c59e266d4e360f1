import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { ProblemError } from '../http/problem.ts';
import type { ProblemBody } from '../http/problem.ts';
import type { ApiRegistry } from './api-roles.ts';
import { SESSION_COOKIE } from './session.ts';

// Some dashboard pages run the API's own route as the signed-in user (the session is their API
// token): its validation, roles, rules and audit entry, with no second copy in the dashboard.

export type ApiOutcome<T> =
  { ok: true; status: number; body: T } | { ok: false; status: number; problem: Partial<ProblemBody> };

async function call(
  api: ApiRegistry,
  c: Context,
  method: 'GET' | 'POST' | 'PUT',
  path: `/api/${string}`,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${getCookie(c, SESSION_COOKIE) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return api.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** A JSON call; a refusal comes back as the API's problem, for the form to show by its fields. */
export async function apiAsUser<T>(
  api: ApiRegistry,
  c: Context,
  method: 'GET' | 'POST' | 'PUT',
  path: `/api/${string}`,
  body?: unknown,
): Promise<ApiOutcome<T>> {
  const res = await call(api, c, method, path, body);
  if (res.status >= 500) throw await problemOf(res);
  const parsed = res.status === 204 ? null : ((await res.json().catch(() => ({}))) as unknown);
  return res.ok
    ? { ok: true, status: res.status, body: parsed as T }
    : { ok: false, status: res.status, problem: parsed as Partial<ProblemBody> };
}

async function problemOf(res: Response): Promise<ProblemError> {
  const problem = (await res.json().catch(() => ({}))) as Partial<ProblemBody>;
  return new ProblemError(
    res.status as ProblemError['status'],
    'api-refused',
    problem.title ?? 'Refused',
    problem.detail ?? `the API answered ${res.status}`,
  );
}

/**
 * A GET whose response (e.g. an evidence download) is handed through unchanged. A refusal is thrown
 * as the API's problem, so the dashboard shows it on its error page instead of raw JSON.
 */
export async function apiGetAsUser(api: ApiRegistry, c: Context, path: `/api/${string}`): Promise<Response> {
  const res = await call(api, c, 'GET', path);
  if (res.ok) return res;
  throw await problemOf(res);
}

/**
 * The API's refusal in the form's words: each field by its label ("Name: already exists"), never by
 * its API path ("json.name").
 */
export function formErrors(problem: Partial<ProblemBody>, labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem.errors ?? []) {
    const key = e.field.replace(/^json\./, '').split('.')[0] ?? '';
    const label = labels[key];
    if (label) out[key] = `${label}: ${e.message}`;
  }
  if (Object.keys(out).length === 0) out._ = problem.detail ?? problem.title ?? 'refused';
  return out;
}
