import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../../backend/app.ts';
import type { AppDeps } from '../../../backend/app.ts';
import type { Db } from '../../../backend/db/database.ts';
import type { Role } from '../../../backend/users/types.ts';
import type { AppEnv } from '../../../backend/http/auth.ts';
import { createAdminToken, createUser, issueToken } from '../../../backend/users/service.ts';
import { SYSTEM_ACTOR } from '../../../backend/audit/service.ts';
import { createTestDatabase } from '../../support/db.ts';

export interface Harness {
  db: Db;
  app: OpenAPIHono<AppEnv>;
  adminToken: string;
  blobDir: string;
  /** A new user holding exactly these roles, and a token for it. */
  user(roles: Role[], name?: string): Promise<{ id: number; token: string }>;
  call(method: string, path: string, token: string | null, body?: unknown): Promise<ApiResult>;
  destroy(): Promise<void>;
}

export interface ApiResult {
  status: number;
  contentType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into bodies freely
  body: any;
}

let userCounter = 0;

export async function createHarness(overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const testDb = await createTestDatabase();
  const blobDir = await mkdtemp(join(tmpdir(), 'ota-blobs-'));
  const app = createApp({ db: testDb.db, blobDir, ...overrides });
  const adminToken = (await createAdminToken(testDb.db, 'root')).token;
  return {
    db: testDb.db,
    app,
    adminToken,
    blobDir,
    async user(roles, name) {
      userCounter += 1;
      const user = await createUser(testDb.db, SYSTEM_ACTOR, { name: name ?? `user${userCounter}`, roles });
      const { token } = await issueToken(testDb.db, SYSTEM_ACTOR, user.id, 'test');
      return { id: user.id, token };
    },
    async call(method, path, token, body) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      let payload: string | undefined;
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const res = await app.request(path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      const contentType = res.headers.get('content-type') ?? '';
      const text = await res.text();
      return { status: res.status, contentType, body: text && contentType.includes('json') ? JSON.parse(text) : text };
    },
    async destroy() {
      await testDb.destroy();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}
