// A small REST client for the backend process: bearer token per call, JSON in and out, and an error that
// names the call and carries the problem+json body when the status is not the one expected.

export class ApiError extends Error {
  override readonly name = 'ApiError';
}

export interface Api {
  readonly baseUrl: string;
  call<T = unknown>(method: string, path: string, token: string, body?: unknown, expected?: number): Promise<T>;
  /** A call whose status the caller checks (a refusal the test expects). */
  attempt(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  upload<T = unknown>(path: string, token: string, bytes: Uint8Array): Promise<T>;
  text(path: string, token: string): Promise<string>;
}

export function backendApi(baseUrl: string): Api {
  const request = async (
    method: string,
    path: string,
    token: string,
    init: { body?: string | Uint8Array; contentType?: string },
    expected: number,
  ): Promise<Response> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    if (res.status !== expected) {
      throw new ApiError(`${method} ${path}: expected ${expected}, got ${res.status}: ${await res.text()}`);
    }
    return res;
  };
  return {
    baseUrl,
    async call<T>(method: string, path: string, token: string, body?: unknown, expected = 200): Promise<T> {
      const res = await request(
        method,
        path,
        token,
        body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' },
        expected,
      );
      return (await res.json()) as T;
    },
    async attempt(method: string, path: string, token: string, body?: unknown) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    },
    async upload<T>(path: string, token: string, bytes: Uint8Array): Promise<T> {
      const res = await request('POST', path, token, { body: bytes, contentType: 'application/octet-stream' }, 201);
      return (await res.json()) as T;
    },
    async text(path: string, token: string): Promise<string> {
      return (await request('GET', path, token, {}, 200)).text();
    },
  };
}

/** Polls `check` until it returns a value other than undefined; fails naming `what` (and the last state seen). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  describeLast: () => string = () => '',
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}. ${describeLast()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
