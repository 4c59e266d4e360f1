import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import { CLIENT_SCRIPTS } from './client-scripts.ts';
import type { DashboardEnv } from './session.ts';

// uPlot is served from node_modules (works offline, no CDN); the dashboard's own scripts are small
// strings, served as files so the Content-Security-Policy can forbid inline scripts.
const uplotDir = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
const VENDOR: Record<string, { file: string; type: string }> = {
  'uPlot.min.js': { file: 'uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: 'uPlot.min.css', type: 'text/css; charset=utf-8' },
};

export function registerAssets(app: Hono<DashboardEnv>): void {
  const cache = new Map<string, Buffer>();
  app.get('/assets/:file', async (c) => {
    const name = c.req.param('file');
    const script = CLIENT_SCRIPTS[name];
    if (script !== undefined) {
      return c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    }
    const vendor = VENDOR[name];
    if (!vendor) return c.text('no such asset', 404);
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = await readFile(join(uplotDir, vendor.file));
      cache.set(name, bytes);
    }
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': vendor.type,
      'cache-control': 'public, max-age=86400',
    });
  });
}
