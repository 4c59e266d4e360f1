import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/database.ts';
import type { AppEnv } from '../http/auth.ts';
import { PageQuery } from '../http/pagination.ts';
import { jsonResponse, pageResponse, securedRoute } from '../http/route.ts';
import { verifyAuditChain } from './chain.ts';
import { listAuditEntries } from './service.ts';

const AuditEntry = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    details: z.unknown(),
    reason: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEntry');
const AuditQuery = PageQuery.extend({
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(100).optional(),
  actor: z
    .string()
    .max(120)
    .optional()
    .openapi({ description: 'an actor label ("system", "user:7:maria") or user name' }),
  from: z.coerce.date().optional().openapi({ description: 'entries at or after this time (ISO 8601)' }),
  to: z.coerce.date().optional().openapi({ description: 'entries before this time (ISO 8601)' }),
});
const Verification = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    headHash: z.string().optional(),
    firstBadSeq: z.number().int().optional(),
    problem: z.string().optional(),
  })
  .openapi('AuditVerification');

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, db: Db): void {
  app.openapi(
    securedRoute(['auditor', 'admin'], {
      method: 'get',
      path: '/api/audit',
      tags: ['audit'],
      summary: 'Read the audit log (oldest first)',
      request: { query: AuditQuery },
      responses: { 200: pageResponse(AuditEntry) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listAuditEntries(db, q, q), 200);
    },
  );
  app.openapi(
    securedRoute(['auditor', 'admin'], {
      method: 'get',
      path: '/api/audit/verify',
      tags: ['audit'],
      summary: 'Recompute the hash chain and report the first broken entry',
      responses: { 200: jsonResponse(Verification, 'the result') },
    }),
    async (c) => c.json(await verifyAuditChain(db), 200),
  );
}
