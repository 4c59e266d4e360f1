import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../backend/audit/chain.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.destroy());

describe('authentication and users', () => {
  it('refuses requests without a token or with an unknown one, as problem+json', async () => {
    const none = await h.call('GET', '/api/users', null);
    expect(none.status).toBe(401);
    expect(none.contentType).toContain('application/problem+json');
    expect(none.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect((await h.call('GET', '/api/users', 'ota_notarealtokenatall')).status).toBe(401);
  });

  it('lets an admin create a user and a token that then authenticates; stores only the hash', async () => {
    const created = await h.call('POST', '/api/users', h.adminToken, { name: 'alice', roles: ['auditor'] });
    expect(created.status).toBe(201);
    const issued = await h.call('POST', `/api/users/${created.body.id}/tokens`, h.adminToken, { name: 'laptop' });
    expect(issued.status).toBe(201);
    expect((await h.call('GET', '/api/audit', issued.body.token)).status).toBe(200);
    const stored = await h.db
      .selectFrom('api_tokens')
      .select('token_sha256')
      .where('id', '=', issued.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_sha256).not.toContain(issued.body.token);

    const revoked = await h.call('POST', `/api/tokens/${issued.body.id}/revoke`, h.adminToken, {
      reason: 'lost laptop',
    });
    expect(revoked.status).toBe(204);
    expect((await h.call('GET', '/api/audit', issued.body.token)).status).toBe(401);
  });

  it('changes roles, lists tokens, disables and enables a user; an admin cannot lock themselves out', async () => {
    const u = await h.call('POST', '/api/users', h.adminToken, { name: 'carol', roles: ['auditor'] });
    expect(u.body.disabledAt).toBeNull();
    const t = await h.call('POST', `/api/users/${u.body.id}/tokens`, h.adminToken, { name: 'ci' });
    const roles = await h.call('PUT', `/api/users/${u.body.id}/roles`, h.adminToken, {
      roles: ['approver', 'auditor', 'approver'],
      reason: 'joins the release board',
    });
    expect(roles.body.roles).toEqual(['approver', 'auditor']);
    const tokens = await h.call('GET', `/api/users/${u.body.id}/tokens`, h.adminToken);
    expect(tokens.body.items).toEqual([{ id: t.body.id, name: 'ci', createdAt: expect.any(String), revokedAt: null }]);
    expect(JSON.stringify(tokens.body)).not.toContain(t.body.token);

    const disabled = await h.call('POST', `/api/users/${u.body.id}/disable`, h.adminToken, { reason: 'left' });
    expect(disabled.body.disabledAt).toEqual(expect.any(String));
    expect((await h.call('GET', '/api/audit', t.body.token)).status).toBe(401);
    expect((await h.call('POST', `/api/users/${u.body.id}/disable`, h.adminToken, { reason: 'again' })).status).toBe(
      409,
    );
    await h.call('POST', `/api/users/${u.body.id}/enable`, h.adminToken, { reason: 'back' });
    expect((await h.call('GET', '/api/audit', t.body.token)).status).toBe(200);
    const actions = await h.call('GET', `/api/audit?entityType=user&entityId=${u.body.id}`, h.adminToken);
    expect(actions.body.items.map((e: { action: string }) => e.action)).toEqual([
      'user.create',
      'user.roles',
      'user.disable',
      'user.enable',
    ]);

    const me = (await h.call('GET', '/api/users?limit=500', h.adminToken)).body.items.find(
      (x: { name: string }) => x.name === 'root',
    );
    const self = await h.call('POST', `/api/users/${me.id}/disable`, h.adminToken, { reason: 'oops' });
    expect(self.status).toBe(409);
    const demote = await h.call('PUT', `/api/users/${me.id}/roles`, h.adminToken, { roles: [], reason: 'oops' });
    expect(demote.status).toBe(409);
    const bad = await h.call('PUT', `/api/users/${u.body.id}/roles`, h.adminToken, { roles: ['root'], reason: 'x' });
    expect(bad.body.errors[0].field).toBe('json.roles.0');
    expect(
      (await h.call('GET', '/api/users?limit=500', h.adminToken)).body.items.find(
        (x: { id: number }) => x.id === u.body.id,
      ).roles,
    ).toEqual(['approver', 'auditor']);
    expect((await h.call('GET', `/api/users/${u.body.id}/tokens`, t.body.token)).status).toBe(403);
  });

  it('names the invalid field of a bad body and changes nothing', async () => {
    const before = await h.db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const res = await h.call('POST', '/api/users', h.adminToken, { name: 'bob', roles: ['superuser'] });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('json.roles.0');
    const malformed = await h.call('POST', '/api/users', h.adminToken, '{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.contentType).toContain('application/problem+json');
    const after = await h.db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('treats SQL-injection-shaped names as plain data', async () => {
    const evil = "x'); DROP TABLE users; --";
    const res = await h.call('POST', '/api/users', h.adminToken, { name: evil, roles: [] });
    expect(res.status).toBe(422); // the name pattern refuses quotes and semicolons
    const list = await h.call('GET', `/api/audit?entityType=${encodeURIComponent("user' OR '1'='1")}`, h.adminToken);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    expect((await h.call('GET', '/api/users', h.adminToken)).status).toBe(200);
  });

  it('paginates with limit and cursor and rejects a forged cursor', async () => {
    for (let i = 0; i < 3; i++) await h.user([], `pager${i}`);
    const first = await h.call('GET', '/api/users?limit=2', h.adminToken);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.call('GET', `/api/users?limit=2&cursor=${first.body.nextCursor}`, h.adminToken);
    expect(second.body.items[0].id).toBeGreaterThan(first.body.items[1].id);
    const forged = await h.call('GET', '/api/users?cursor=bm90LWpzb24', h.adminToken);
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0].field).toBe('cursor');
    expect((await h.call('GET', '/api/users?limit=0', h.adminToken)).body.errors[0].field).toBe('query.limit');
  });
});

describe('audit log', () => {
  it('records changes in a chain that verifies', async () => {
    const res = await h.call('GET', '/api/audit/verify', h.adminToken);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.entries).toBeGreaterThan(3);
    const log = await h.call('GET', '/api/audit?entityType=user&limit=500', h.adminToken);
    expect(log.body.items.map((e: { action: string }) => e.action)).toContain('user.create');
  });

  it('filters by actor (label or user name) and time, and names a bad time', async () => {
    const byName = await h.call('GET', '/api/audit?limit=500', h.adminToken);
    const all = byName.body.items as { actor: string; at: string; seq: number }[];
    const label = all.find((e) => e.actor.startsWith('user:'))?.actor ?? '';
    const name = label.split(':')[2] ?? '';
    const mine = all.filter((e) => e.actor === label).map((e) => e.seq);
    expect(mine.length).toBeGreaterThan(0);
    for (const actor of [label, name]) {
      const res = await h.call('GET', `/api/audit?limit=500&actor=${encodeURIComponent(actor)}`, h.adminToken);
      expect(res.body.items.map((e: { seq: number }) => e.seq)).toEqual(mine);
    }
    const last = all.at(-1)!;
    const since = await h.call('GET', `/api/audit?limit=500&from=${encodeURIComponent(last.at)}`, h.adminToken);
    expect(since.body.items.map((e: { seq: number }) => e.seq)).toContain(last.seq);
    expect(since.body.items.every((e: { at: string }) => e.at >= last.at)).toBe(true);
    const before = await h.call('GET', `/api/audit?limit=500&to=${encodeURIComponent(all[0]!.at)}`, h.adminToken);
    expect(before.body.items).toEqual([]);
    const bad = await h.call('GET', '/api/audit?from=yesterday', h.adminToken);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('query.from');
  });

  it('refuses UPDATE and DELETE on the audit table (trigger)', async () => {
    await expect(sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`.execute(h.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM audit_log WHERE seq = 1`.execute(h.db)).rejects.toThrow(/append-only/);
  });

  it('detects an edited entry, a deleted entry and a removed tail', async () => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(h.db);
    try {
      await sql`UPDATE audit_log SET reason = 'edited' WHERE seq = 2`.execute(h.db);
      expect(await verifyAuditChain(h.db)).toMatchObject({
        ok: false,
        firstBadSeq: 2,
        problem: expect.stringMatching(/altered/),
      });
      const res = await h.call('GET', '/api/audit/verify', h.adminToken);
      expect(res.body).toMatchObject({ ok: false, firstBadSeq: 2 });

      await sql`UPDATE audit_log SET reason = NULL WHERE seq = 2`.execute(h.db);
      expect((await verifyAuditChain(h.db)).ok).toBe(true);

      const saved = await sql<{ seq: string }>`DELETE FROM audit_log WHERE seq = 3 RETURNING *`.execute(h.db);
      expect(saved.rows).toHaveLength(1);
      expect(await verifyAuditChain(h.db)).toMatchObject({
        ok: false,
        firstBadSeq: 3,
        problem: expect.stringMatching(/missing/),
      });
      await sql`INSERT INTO audit_log SELECT * FROM jsonb_populate_record(null::audit_log, ${JSON.stringify(saved.rows[0])}::jsonb)`.execute(
        h.db,
      );
      expect((await verifyAuditChain(h.db)).ok).toBe(true);

      await sql`DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)`.execute(h.db);
      expect(await verifyAuditChain(h.db)).toMatchObject({ ok: false, problem: expect.stringMatching(/removed/) });
    } finally {
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(h.db);
    }
  });
});

describe('documentation', () => {
  it('serves OpenAPI 3.1 and a docs page whose assets are local', async () => {
    const doc = await h.call('GET', '/openapi.json', null);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/api/users');
    const page = await h.call('GET', '/docs', null);
    expect(page.body).toContain('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/cdn\.jsdelivr|unpkg/);
    const asset = await h.app.request('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
    expect((await h.app.request('/docs/assets/swagger-ui-dist/..%2Fpackage.json')).status).toBe(404);
  });
});
