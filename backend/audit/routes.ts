import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/database.ts';
import type { AppEnv } from '../http/auth.ts';
import { decodeCursor, PageQuery, toPage } from '../http/pagination.ts';
import { jsonResponse, securedRoute } from '../http/route.ts';
import { toAuditEntry, verifyAuditChain } from './service.ts';

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
      responses: {
        200: jsonResponse(z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() }), 'a page'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const after = decodeCursor<number>(q.cursor, 'number') ?? 0;
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', String(after))
        .$if(q.entityType !== undefined, (b) => b.where('entity_type', '=', q.entityType ?? ''))
        .$if(q.entityId !== undefined, (b) => b.where('entity_id', '=', q.entityId ?? ''))
        .orderBy('seq')
        .limit(q.limit + 1)
        .execute();
      return c.json(
        toPage(rows, q.limit, (r) => Number(r.seq), toAuditEntry),
        200,
      );
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
