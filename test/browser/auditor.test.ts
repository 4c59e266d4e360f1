import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_CSV_COLUMNS } from '../../backend/campaigns/evidence.ts';
import { seedFixedVulnerability, seedFleet, seedSubmittedCampaign, seedUser } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

// The auditor's job through the dashboard alone: read and filter the log, verify the chain, download
// a campaign's evidence. Rows on the page are compared with what the database holds.

const FLEET = 30;

describe('the auditor in chromium', () => {
  const dashboard = useDashboard();
  let auditor: SeededUser;
  let manager: SeededUser;
  let releaser: SeededUser;
  let campaignId: number;
  let vins: string[];

  beforeAll(async () => {
    const db = dashboard.backend.db;
    auditor = await seedUser(db, 'aud', ['auditor']);
    manager = await seedUser(db, 'maria', ['campaign_manager']);
    releaser = await seedUser(db, 'rolf', ['release_engineer']);
    const security = await seedUser(db, 'sven', ['security_engineer']);
    const approver = await seedUser(db, 'anton', ['approver']);
    vins = await seedFleet(db, FLEET);
    const { releaseId } = await seedFixedVulnerability(db, dashboard.backend.blobDir, security, releaser, approver);
    campaignId = (await seedSubmittedCampaign(db, manager, releaseId)).id;
  }, 120_000);

  const seqsOnPage = async (page: Page) =>
    (
      await page
        .getByRole('table', { name: /Audit entries/ })
        .locator('tbody tr td:first-child')
        .allTextContents()
    ).map(Number);
  const auditCount = async () =>
    Number(
      (
        await dashboard.backend.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('reads the log newest first, pages back and filters by entity, actor and time', async () => {
    const { context, page } = await dashboard.signedIn(auditor.token);
    try {
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.waitForURL(/\/ui\/audit$/);
      const total = await auditCount();
      expect(total).toBeGreaterThan(50);
      const first = await seqsOnPage(page);
      expect(first).toEqual(Array.from({ length: 50 }, (_, i) => total - i));
      await page.getByRole('link', { name: 'Older entries' }).click();
      const second = await seqsOnPage(page);
      expect(second[0]).toBe(total - 50);

      // By entity: the campaign's own entries, as many as the database holds.
      await page.goto(`${dashboard.backend.baseUrl}/ui/audit`);
      await page.getByLabel('Entity type').fill('campaign');
      await page.getByLabel('Entity id').fill(String(campaignId));
      await page.getByRole('button', { name: 'Filter' }).click();
      const campaignSeqs = await dashboard.backend.db
        .selectFrom('audit_log')
        .select('seq')
        .where('entity_type', '=', 'campaign')
        .where('entity_id', '=', String(campaignId))
        .orderBy('seq', 'desc')
        .execute();
      expect(campaignSeqs.length).toBeGreaterThanOrEqual(2);
      expect(await seqsOnPage(page)).toEqual(campaignSeqs.map((r) => Number(r.seq)));
      expect(await page.getByLabel('Entity type').inputValue()).toBe('campaign');

      // By actor, by name: only maria's entries.
      await page.getByLabel('Entity type').fill('');
      await page.getByLabel('Entity id').fill('');
      await page.getByLabel('Actor').fill('maria');
      await page.getByRole('button', { name: 'Filter' }).click();
      const marias = await dashboard.backend.db
        .selectFrom('audit_log')
        .select('seq')
        .where('actor', '=', `user:${manager.id}:maria`)
        .orderBy('seq', 'desc')
        .execute();
      expect(await seqsOnPage(page)).toEqual(marias.map((r) => Number(r.seq)));
      const actors = await page.locator('tbody tr td:nth-child(3)').allTextContents();
      expect(new Set(actors)).toEqual(new Set(['maria']));

      // By time: a window that ended before anything was written lists nothing.
      await page.getByLabel('Actor').fill('');
      await page.getByLabel('From').fill('2020-01-01');
      await page.getByLabel('To', { exact: true }).fill('2020-01-31 23:59');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(page.getByText('No entries match.').count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  });

  it('names a bad time filter by its label, keeps what was typed and lists nothing', async () => {
    const { context, page } = await dashboard.signedIn(auditor.token, '/ui/audit');
    try {
      const before = await auditCount();
      await page.getByLabel('Actor').fill('maria');
      await page.getByLabel('From').fill('yesterday');
      await page.getByLabel('To', { exact: true }).fill('2026-02-31');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/filter was not applied/);
      expect(await page.locator('#f-from-error').textContent()).toBe(
        'expected YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC), got “yesterday”',
      );
      expect(await page.locator('#f-to-error').textContent()).toMatch(/got “2026-02-31”/);
      expect(await page.getByLabel('From').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('From').inputValue()).toBe('yesterday');
      expect(await page.getByLabel('Actor').inputValue()).toBe('maria');
      expect(await page.getByRole('table').count()).toBe(0);
      expect(await auditCount()).toBe(before);
    } finally {
      await context.close();
    }
  });

  it('verifies the chain, and names the entry an edit behind the triggers broke', async () => {
    const { context, page } = await dashboard.signedIn(auditor.token, '/ui/audit');
    try {
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      const head = await dashboard.backend.db
        .selectFrom('audit_head')
        .select(['seq', 'hash'])
        .executeTakeFirstOrThrow();
      await expect(page.locator('#verification').textContent()).resolves.toBe(
        `Chain intact: ${head.seq} entries, every hash recomputed; head ${head.hash.slice(0, 16)}…`,
      );
      // The table owner edits entry 5 with the append-only triggers off, as an attacker with its rights would.
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(dashboard.backend.db);
      await sql`UPDATE audit_log SET reason = 'rewritten' WHERE seq = 5`.execute(dashboard.backend.db);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(dashboard.backend.db);
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      await expect(page.locator('#verification').textContent()).resolves.toBe(
        'Chain BROKEN at entry 5: entry 5 was altered (hash mismatch) (4 entries before it are intact)',
      );
      expect(await page.locator('#verification').getAttribute('role')).toBe('alert');
    } finally {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(dashboard.backend.db);
      await sql`UPDATE audit_log SET reason = NULL WHERE seq = 5`.execute(dashboard.backend.db);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(dashboard.backend.db);
      await context.close();
    }
  });

  it('downloads the evidence as JSON and CSV from the signed-in session; other roles are refused', async () => {
    const { context, page } = await dashboard.signedIn(auditor.token, '/ui/audit');
    try {
      await page.getByRole('link', { name: 'Campaign evidence' }).click();
      await page.getByLabel('Campaign').selectOption(String(campaignId));
      const download = async (format: string | RegExp) => {
        await page.getByLabel(format).check();
        const [file] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download evidence' }).click(),
        ]);
        return { name: file.suggestedFilename(), text: await readFile((await file.path()) ?? '', 'utf8') };
      };
      const json = await download('JSON bundle');
      expect(json.name).toBe(`campaign-${campaignId}-evidence.json`);
      const bundle = JSON.parse(json.text) as {
        campaign: { id: number };
        auditHead: { seq: number };
        vehicles: { vin: string }[];
      };
      expect(bundle.campaign.id).toBe(campaignId);
      const head = await dashboard.backend.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
      expect(bundle.auditHead.seq).toBe(Number(head.seq));
      const targeted = await dashboard.backend.db
        .selectFrom('campaign_vehicles')
        .select('vin')
        .where('campaign_id', '=', campaignId)
        .orderBy('vin')
        .execute();
      expect(targeted.map((r) => r.vin)).toEqual(vins);
      expect(bundle.vehicles.map((v) => v.vin)).toEqual(vins);

      const csv = await download(/CSV/);
      expect(csv.name).toBe(`campaign-${campaignId}-evidence.csv`);
      const lines = csv.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe(EVIDENCE_CSV_COLUMNS.join(','));
      expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(vins));

      // An unknown campaign is the API's 404, shown as a dashboard page.
      const missing = await page.goto(`${dashboard.backend.baseUrl}/ui/evidence/download?campaign=999999&format=csv`);
      expect(missing?.status()).toBe(404);
      expect(await page.getByRole('alert').textContent()).toBe('campaign 999999 does not exist');
    } finally {
      await context.close();
    }
    // The release engineer's role has no evidence export in the API, so none in the dashboard.
    const other = await dashboard.signedIn(releaser.token);
    try {
      const refused = await other.page.goto(`${dashboard.backend.baseUrl}/ui/evidence/download?campaign=${campaignId}`);
      expect(refused?.status()).toBe(403);
      const api = await other.page.request.get(`${dashboard.backend.baseUrl}/api/campaigns/${campaignId}/evidence`, {
        headers: { authorization: `Bearer ${releaser.token}` },
      });
      expect(api.status()).toBe(403);
    } finally {
      await other.context.close();
    }
  });
});
