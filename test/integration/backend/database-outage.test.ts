/**
 * While PostgreSQL is unreachable every API route answers 503 problem+json with Retry-After (never
 * 500), and the backend recovers by itself when the database is back. A TCP proxy in front of a
 * real server (DATABASE_URL's, or one started for this test) takes the database away and back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../backend/app.ts';
import { createDatabase } from '../../../backend/db/database.ts';
import type { Db } from '../../../backend/db/database.ts';
import type { AppEnv } from '../../../backend/http/auth.ts';
import { createAdminToken } from '../../../backend/users/service.ts';
import { createTestDatabaseOnServer } from '../../support/db.ts';
import type { TestDatabase } from '../../support/db.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';
import type { TcpProxy } from '../../support/tcp-proxy.ts';
import { startThrowawayPostgres } from '../../support/throwaway-postgres.ts';
import type { ThrowawayPostgres } from '../../support/throwaway-postgres.ts';

let server: ThrowawayPostgres | undefined;
let testDb: TestDatabase;
let proxy: TcpProxy;
let db: Db;
let app: OpenAPIHono<AppEnv>;
let token: string;
let blobDir: string;

beforeAll(async () => {
  server = process.env.DATABASE_URL ? undefined : await startThrowawayPostgres();
  testDb = await createTestDatabaseOnServer(process.env.DATABASE_URL ?? server!.url);
  const direct = new URL(testDb.url!);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(direct);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  db = createDatabase({ url: viaProxy.toString(), connectTimeoutMs: 1000 });
  blobDir = await mkdtemp(join(tmpdir(), 'ota-blobs-'));
  app = createApp({ db, blobDir });
  token = (await createAdminToken(testDb.db, 'ops')).token;
});
afterAll(async () => {
  await proxy.restore();
  await db.destroy();
  await proxy.close();
  await testDb.destroy();
  server?.stop();
  await rm(blobDir, { recursive: true, force: true });
});

/** One request of each kind: authenticated reads and writes, the TUF repository, the dashboard. */
const REQUESTS: { path: string; init?: RequestInit }[] = [
  { path: '/api/vehicles' },
  { path: '/api/campaigns/1' },
  { path: '/api/audit/verify' },
  {
    path: '/api/vehicle-models',
    init: { method: 'POST', body: JSON.stringify({ id: 'outage', name: 'Outage' }) },
  },
  { path: '/tuf/image/timestamp.json' },
  { path: '/ui/campaigns' },
];

const send = (r: (typeof REQUESTS)[number]) =>
  app.request(r.path, {
    ...r.init,
    headers: { authorization: `Bearer ${token}`, cookie: `ota_session=${token}`, 'content-type': 'application/json' },
  });

async function expectAllUnavailable(): Promise<void> {
  for (const r of REQUESTS) {
    const res = await send(r);
    expect(res.status, `${r.path}: ${await res.clone().text()}`).toBe(503);
    expect(Number(res.headers.get('retry-after')), r.path).toBeGreaterThan(0);
    if (!r.path.startsWith('/ui')) {
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as { status: number; detail: string };
      expect(body.status).toBe(503);
      expect(body.detail).not.toMatch(/ECONN|terminated|timeout exceeded|127\.0\.0\.1/);
    }
  }
}

/** Polls until the API answers again, without restarting anything. */
async function expectRecovery(): Promise<void> {
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await send(REQUESTS[0]!)).status;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(200);
  const created = await send(REQUESTS[3]!);
  expect([201, 409]).toContain(created.status);
}

describe('database outage', () => {
  it('answers 503 with Retry-After on every route while the server refuses or drops connections, then recovers', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect((await send(REQUESTS[0]!)).status).toBe(200); // the pool holds open connections now
      await proxy.cut();
      await expectAllUnavailable();
      await proxy.restore();
      await expectRecovery();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('answers 503 when the network swallows connections (connect timeout), then recovers', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await proxy.stall();
      const res = await send(REQUESTS[0]!);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      await proxy.restore();
      await expectRecovery();
    } finally {
      warn.mockRestore();
    }
  });
});
