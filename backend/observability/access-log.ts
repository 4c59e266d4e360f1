// One access line per HTTP request (method, route, status, duration, request id) and the request id
// itself: taken from a well-formed X-Request-Id header or made up, and returned in the response's.
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from './logger.ts';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** The request id of `c`'s request (for error lines logged elsewhere). */
export function requestIdOf(c: Context): string | undefined {
  return ids.get(c.req.raw);
}

export function accessLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ids.set(c.req.raw, requestId);
    const started = performance.now();
    await next(); // Hono turns a thrown error into the onError response before this returns
    const ms = Math.round((performance.now() - started) * 10) / 10;
    try {
      c.res.headers.set('x-request-id', requestId);
    } catch {
      // an immutable response (a proxied fetch): it keeps its own headers
    }
    log.info(
      { requestId, method: c.req.method, route: c.req.routePath, path: c.req.path, status: c.res.status, ms },
      'request',
    );
  };
}
