import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../backend/app.ts';
import { BlobStore } from '../../backend/blobs/store.ts';
import { dashboardRoutes } from '../../backend/dashboard/routes.tsx';
import type { Db } from '../../backend/db/database.ts';
import { createTestDatabase } from '../support/db.ts';
import { launchChromium } from './browser.ts';
import { signedIn } from './sign-in.ts';

export interface RunningBackend {
  db: Db;
  baseUrl: string;
  blobDir: string;
  stop(): Promise<void>;
}

/**
 * The API and the dashboard on a free port of 127.0.0.1, over a migrated test database. The
 * dashboard is mounted here at /ui first, so this works whether or not createApp mounts it too.
 */
export async function startBackend(): Promise<RunningBackend> {
  const testDb = await createTestDatabase();
  const blobDir = await mkdtemp(join(tmpdir(), 'ota-dashboard-blobs-'));
  const root = new Hono();
  const api = createApp({ db: testDb.db, blobDir });
  const images = { blobs: new BlobStore(blobDir) };
  root.route('/ui', dashboardRoutes({ db: testDb.db, api, images, liveIntervalMs: 300 }));
  root.route('/', api);
  const server = serve({ fetch: root.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    db: testDb.db,
    baseUrl: `http://127.0.0.1:${port}`,
    blobDir,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SSE streams keep connections open; close them so the server can stop.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await testDb.destroy();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

export interface Dashboard {
  readonly backend: RunningBackend;
  readonly browser: Browser;
  /** A fresh browser context signed in to this backend's dashboard with `token`, at `path` (sign-in.ts). */
  signedIn(token: string, path?: string): Promise<{ context: BrowserContext; page: Page }>;
}

/**
 * The backend (startBackend) and Chromium of a describe block: started together in beforeAll, stopped
 * in afterAll. Read them in hooks and tests; before they started, reading them throws.
 */
export function useDashboard(): Dashboard {
  let started: { backend?: RunningBackend; browser?: Browser } = {};
  beforeAll(async () => {
    const [backend, browser] = await Promise.allSettled([startBackend(), launchChromium()]);
    started = {
      ...(backend.status === 'fulfilled' ? { backend: backend.value } : {}),
      ...(browser.status === 'fulfilled' ? { browser: browser.value } : {}),
    };
    for (const result of [backend, browser]) if (result.status === 'rejected') throw result.reason;
  }, 120_000);
  afterAll(async () => {
    await started.browser?.close();
    await started.backend?.stop();
  });
  const running = <K extends 'backend' | 'browser'>(part: K): Dashboard[K] => {
    const value = started[part];
    if (!value) throw new Error(`the dashboard's ${part} starts in beforeAll: read it in a hook or a test`);
    return value as Dashboard[K];
  };
  return {
    get backend() {
      return running('backend');
    },
    get browser() {
      return running('browser');
    },
    signedIn: (token, path) => signedIn(running('browser'), running('backend').baseUrl, token, path),
  };
}
