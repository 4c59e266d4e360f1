import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { NUL, NUL_MESSAGE as MESSAGE, nulFields } from '@ota/protocol';
import { ProblemError, problemResponse } from './problem.ts';

// PostgreSQL text cannot hold U+0000 (it fails with a data exception), and no field of this
// system has a use for it: one check over every request's path, query and body refuses it
// before any route runs, naming each field that holds one.

/** Path segments holding U+0000, named after the matched route's parameter where there is one. */
function pathFields(c: Context): string[] {
  const segments = c.req.path.split('/');
  const bad = segments.flatMap((segment, i) => (segment.includes(NUL) ? [i] : []));
  if (bad.length === 0) return [];
  const pattern = routePath(c, -1).split('/');
  return bad.map((i) => {
    const name = pattern.length === segments.length ? /^:(\w+)/.exec(pattern[i] ?? '')?.[1] : undefined;
    return name ? `param.${name}` : 'path';
  });
}

function queryFields(c: Context): string[] {
  const found: string[] = [];
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (key.includes(NUL) || values.some((v) => v.includes(NUL))) found.push(`query.${key.replaceAll(NUL, '\\0')}`);
  }
  return found;
}

async function bodyFields(c: Context): Promise<string[]> {
  const type = c.req.header('content-type') ?? '';
  if (/^application\/([\w.+-]*\+)?json/i.test(type)) {
    // Parsed once: the validators read the same cached value. Malformed JSON is theirs to refuse.
    const body: unknown = await c.req.json().catch(() => undefined);
    return nulFields(body, 'json');
  }
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    const form = await c.req.parseBody({ all: true }).catch(() => undefined);
    return nulFields(form, 'form');
  }
  return [];
}

/** 422 problem+json naming every field that contains U+0000; the request reaches no route. */
export function refuseNul(): MiddlewareHandler {
  return async (c, next) => {
    const fields = [...pathFields(c), ...queryFields(c), ...(await bodyFields(c))];
    if (fields.length === 0) return next();
    const detail = fields.map((f) => `${f}: ${MESSAGE}`).join('; ');
    const errors = fields.map((field) => ({ field, message: MESSAGE }));
    return problemResponse(
      c,
      new ProblemError(422, 'validation-error', 'Invalid request', detail, { errors }).toBody(),
    );
  };
}
