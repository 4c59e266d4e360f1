import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { swaggerUI } from '@hono/swagger-ui';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './auth.ts';

const assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/** OpenAPI 3.1 at /openapi.json and Swagger UI at /docs, its assets served from node_modules (works offline). */
export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'OTA platform backend',
      version: '0.1.0',
      description: 'Fleet, vulnerabilities, releases and update campaigns. Errors are RFC 9457 problem+json.',
    },
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json', baseUrl: '/docs/assets', title: 'OTA backend API' }));
  app.get('/docs/assets/swagger-ui-dist/:file', async (c) => {
    const file = c.req.param('file');
    const type = assets[file];
    if (!type) return c.notFound();
    return c.body(await readFile(join(assetsDir, file)), 200, {
      'content-type': type,
      'cache-control': 'public, max-age=86400',
    });
  });
}
