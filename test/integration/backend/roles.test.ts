import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../../backend/users/types.ts';
import type { Role } from '../../../backend/users/types.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

// Every route is tried with a token that holds every role except the ones the route allows (or no
// role at all when every role is allowed). The table comes from the OpenAPI document's x-roles,
// and is checked against the router so that no /api route escapes.

interface Operation {
  method: string;
  path: string;
  roles: Role[];
}

let h: Harness;
let operations: Operation[];
const tokens = new Map<string, string>();

async function tokenWithout(roles: Role[]): Promise<string> {
  const others = ROLES.filter((r) => !roles.includes(r));
  const key = others.join(',');
  let token = tokens.get(key);
  if (!token) {
    token = (await h.user(others)).token;
    tokens.set(key, token);
  }
  return token;
}

beforeAll(async () => {
  h = await createHarness();
  const doc = (await h.call('GET', '/openapi.json', null)).body as {
    paths: Record<string, Record<string, { 'x-roles'?: Role[] }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, roles: op['x-roles'] ?? [] })),
  );
});
afterAll(() => h.destroy());

describe('role guard', () => {
  it('documents roles for every /api route the router serves', () => {
    const served = h.app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = operations.filter((o) => o.roles.length > 0).map((o) => `${o.method} ${o.path}`);
    expect(served.length).toBeGreaterThan(40);
    expect(new Set(served)).toEqual(new Set(documented));
  });

  it('refuses every route to a token lacking its roles, with problem+json 403', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.path.startsWith('/api/'))) {
      const path = op.path.replace('{id}', '1').replace('{vin}', 'WVWZZZ1KZAW000001');
      const res = await h.call(op.method, path, await tokenWithout(op.roles), op.method === 'GET' ? undefined : {});
      if (res.status !== 403 || !res.contentType.includes('application/problem+json')) {
        failures.push(`${op.method} ${op.path}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('lets the allowed role through the guard (then validation or lookup decides)', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.path.startsWith('/api/'))) {
      const path = op.path.replace('{id}', '999999').replace('{vin}', 'WVWZZZ1KZAW000001');
      const token = (await h.user([op.roles[0] as Role])).token;
      const res = await h.call(op.method, path, token, op.method === 'GET' ? undefined : {});
      if (res.status === 403 || res.status === 401) failures.push(`${op.method} ${op.path}: ${res.status}`);
    }
    expect(failures).toEqual([]);
  });
});
