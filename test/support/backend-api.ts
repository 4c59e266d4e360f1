// The one HTTP-JSON client of the backend for tests, benches and the demo test: bearer token per call,
// JSON in and out, and an error naming the method, path, status and body when the status is not the
// one expected.

export class ApiError extends Error {
  override readonly name = 'ApiError';
}

/** One user's calls: `(method, path, body?, expected = 200)`, the parsed JSON body. */
export type UserApi = <T = unknown>(method: string, path: string, body?: unknown, expected?: number) => Promise<T>;

export interface Api {
  readonly baseUrl: string;
  call<T = unknown>(method: string, path: string, token: string, body?: unknown, expected?: number): Promise<T>;
  /** A call whose status the caller checks (a refusal the test expects). */
  attempt(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  upload<T = unknown>(path: string, token: string, bytes: Uint8Array): Promise<T>;
  text(path: string, token: string): Promise<string>;
  /** The calls of the user whose token this is. */
  as(token: string): UserApi;
}

const jsonBody = (body: unknown) =>
  body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' };

/** The body as JSON, or an ApiError naming the call when it is not JSON. */
async function parseJson<T>(res: Response, method: string, path: string): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(`${method} ${path}: ${res.status}, body is not JSON: ${text.slice(0, 2000)}`);
  }
}

/** The header that authenticates a call as the user of `token` (also for other clients: autocannon). */
export const authorization = (token: string) => ({ authorization: `Bearer ${token}` });

export function backendApi(baseUrl: string): Api {
  const send = (
    method: string,
    path: string,
    token: string,
    init: { body?: string | Uint8Array; contentType?: string },
  ) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...authorization(token),
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  const request = async (
    method: string,
    path: string,
    token: string,
    init: { body?: string | Uint8Array; contentType?: string },
    expected: number,
  ): Promise<Response> => {
    const res = await send(method, path, token, init);
    if (res.status !== expected) {
      throw new ApiError(
        `${method} ${path}: expected ${expected}, got ${res.status}: ${(await res.text()).slice(0, 2000)}`,
      );
    }
    return res;
  };
  const call = async <T>(method: string, path: string, token: string, body?: unknown, expected = 200): Promise<T> =>
    parseJson<T>(await request(method, path, token, jsonBody(body), expected), method, path);
  return {
    baseUrl,
    call,
    async attempt(method: string, path: string, token: string, body?: unknown) {
      const res = await send(method, path, token, jsonBody(body));
      return { status: res.status, body: await parseJson<unknown>(res, method, path) };
    },
    async upload<T>(path: string, token: string, bytes: Uint8Array): Promise<T> {
      const res = await request('POST', path, token, { body: bytes, contentType: 'application/octet-stream' }, 201);
      return parseJson<T>(res, 'POST', path);
    },
    async text(path: string, token: string): Promise<string> {
      return (await request('GET', path, token, {}, 200)).text();
    },
    as: (token) => (method, path, body, expected) => call(method, path, token, body, expected),
  };
}
