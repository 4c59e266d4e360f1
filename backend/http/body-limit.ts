import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { ProblemError, problemResponse } from './problem.ts';

/** Request bodies larger than this are refused (default of `maxBodyBytes`): room for 100,000 VINs. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface BodyLimits {
  /** Every route not listed in `routes`. */
  defaultBytes: number;
  /** Larger limits for upload routes, by `METHOD /openapi/{path}`. */
  routes: Record<string, number>;
}

const tooLarge = (limit: number) =>
  new ProblemError(413, 'body-too-large', 'Request body too large', `request bodies are limited to ${limit} bytes`, {
    limitBytes: limit,
  });

/**
 * Refuses a body above its route's limit with 413 before anything reads it: a declared
 * Content-Length is checked up front, a chunked body is counted as it streams in.
 */
export function limitBodies(limits: BodyLimits): MiddlewareHandler {
  const limiter = (maxSize: number) =>
    bodyLimit({ maxSize, onError: (c) => problemResponse(c, tooLarge(maxSize).toBody()) });
  const byRoute = new Map(Object.entries(limits.routes).map(([route, bytes]) => [route, limiter(bytes)]));
  const fallback = limiter(limits.defaultBytes);
  return (c, next) => {
    const route = `${c.req.method} ${routePath(c, -1).replace(/:(\w+)/g, '{$1}')}`;
    return (byRoute.get(route) ?? fallback)(c, next);
  };
}
