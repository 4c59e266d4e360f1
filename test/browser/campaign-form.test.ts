import { beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../backend/audit/service.ts';
import { seedCampaignWorld } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

// The campaign form refuses bad input naming the field as the form labels it and keeps what was
// typed; a draft can be deleted after a confirmation, a submitted campaign cannot.

describe('the campaign form and deleting drafts, in chromium', () => {
  const dashboard = useDashboard();
  let manager: SeededUser;

  beforeAll(async () => {
    ({ manager } = await seedCampaignWorld(dashboard.backend.db, dashboard.backend.blobDir, 4));
  });

  const campaignCount = async () =>
    Number(
      (
        await dashboard.backend.db
          .selectFrom('campaigns')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('names the refused field as labelled, keeps everything typed, then creates and deletes the draft', async () => {
    const { context, page } = await dashboard.signedIn(manager.token, '/ui/campaigns/new');
    await page.getByLabel('Name').fill('Body controller fix, two waves');
    await page.getByLabel('Kind').selectOption('bug_fix');
    await page.getByLabel(/Body controller 4\.2\.0 \(BCM-HW-7/).check();
    await page.getByLabel('Regions').fill('EU, US');
    await page.getByLabel('Wave 2: Share of targets (%)').fill('90');
    for (const row of [3, 4])
      for (const column of ['Share of targets (%)', 'Success needed (%)', 'Pause above failures (%)', 'Soak (minutes)'])
        await page.getByLabel(`Wave ${row}: ${column}`).fill('');
    await page.getByLabel('The driver must consent').check();
    await page.getByRole('button', { name: 'Create draft' }).click();

    // The service's wave rule, named by the form's wave row.
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Not created. Wave 2: the last wave must reach 100 %',
    );
    expect(await campaignCount()).toBe(0);
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Body controller fix, two waves');
    await expect(page.getByLabel('Kind').inputValue()).resolves.toBe('bug_fix');
    await expect(page.getByLabel(/Body controller 4\.2\.0 \(BCM-HW-7/).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Regions').inputValue()).resolves.toBe('EU, US');
    await expect(page.getByLabel('The driver must consent').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Wave 3: Share of targets (%)').inputValue()).resolves.toBe('');
    const wave2 = page.getByLabel('Wave 2: Share of targets (%)');
    await expect(wave2.inputValue()).resolves.toBe('90');
    await expect(wave2.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(wave2.evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);

    // A bad cell of the form names its wave and column.
    await wave2.fill('100');
    await page.getByLabel('Wave 1: Success needed (%)').fill('150');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Not created. Wave 1, Success needed (%): a percentage from 0 to 100',
    );
    expect(await campaignCount()).toBe(0);
    await page.getByLabel('Wave 1: Success needed (%)').fill('95');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await expect(page.locator('.flash').textContent()).resolves.toMatch(
      /^Draft “Body controller fix, two waves” created/,
    );
    const id = Number(new URL(page.url()).pathname.split('/').at(-1));
    const row = await dashboard.backend.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'bug_fix', state: 'draft', target_filter: { regions: ['EU', 'US'] } });
    expect(row.install_policy.driverConsentRequired).toBe(true);
    const waves = await dashboard.backend.db
      .selectFrom('campaign_waves')
      .select('cumulative_percent')
      .where('campaign_id', '=', id)
      .orderBy('wave_no')
      .execute();
    expect(waves.map((w) => Number(w.cumulative_percent))).toEqual([1, 100]);
    await expect(page.getByRole('region', { name: 'Facts' }).textContent()).resolves.toContain('Regions: EU, US');

    // Deleting asks first and needs a reason; keeping it changes nothing.
    await page.getByRole('link', { name: 'Delete draft…' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Delete the draft “Body controller fix, two waves”?',
    );
    await page.getByRole('link', { name: 'Keep it' }).click();
    expect(await campaignCount()).toBe(1);
    await page.getByRole('link', { name: 'Delete draft…' }).click();
    await page.getByRole('button', { name: 'Delete draft' }).click();
    await expect(page.locator('#reason:invalid').count()).resolves.toBe(1);
    expect(await campaignCount()).toBe(1);
    await page.getByLabel('Reason for deleting').fill('duplicate of the campaign for all regions');
    await page.getByRole('button', { name: 'Delete draft' }).click();
    await expect(page.locator('.flash').textContent()).resolves.toBe('Draft “Body controller fix, two waves” deleted.');
    expect(new URL(page.url()).pathname).toBe('/ui/campaigns');
    expect(await campaignCount()).toBe(0);
    const audit = await listAuditEntries(
      dashboard.backend.db,
      { entityType: 'campaign', entityId: String(id) },
      { limit: 10 },
    );
    expect(audit.items.at(-1)).toMatchObject({
      action: 'campaign.delete',
      reason: 'duplicate of the campaign for all regions',
    });
    await context.close();
  });

  it('offers no deletion once the campaign is submitted', async () => {
    const { context, page } = await dashboard.signedIn(manager.token, '/ui/campaigns/new');
    await page.getByLabel('Name').fill('Submitted one');
    await page.getByLabel(/Body controller 4\.2\.0 \(BCM-HW-7/).check();
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('pending approval');
    await expect(page.getByRole('link', { name: 'Delete draft…' }).count()).resolves.toBe(0);
    // The confirmation page reached by its address refuses it too, and the campaign stays.
    await page.goto(`${page.url()}/delete`);
    await page.getByLabel('Reason for deleting').fill('try anyway');
    await page.getByRole('button', { name: 'Delete draft' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(
      /is pending approval; only a draft can be deleted$/,
    );
    expect(await campaignCount()).toBe(1);
    await context.close();
  });
});
