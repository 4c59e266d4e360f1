import { copyFile, mkdir } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCampaignVehicles } from '../../backend/campaigns/service.ts';
import { applyVehicleReports } from '../../backend/campaigns/vehicle-state.ts';
import type { VehicleReport } from '../../backend/campaigns/vehicle-state.ts';
import { seedFixedVulnerability, seedFleet, seedUser } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

const FLEET = 12;
const SCREENSHOT = 'test-artifacts/dashboard-campaign.png';

describe('a campaign from draft to paused, in chromium', () => {
  const dashboard = useDashboard();
  let manager: SeededUser;
  let approver: SeededUser;

  beforeAll(async () => {
    manager = await seedUser(dashboard.backend.db, 'maria', ['campaign_manager']);
    approver = await seedUser(dashboard.backend.db, 'anton', ['approver']);
    const security = await seedUser(dashboard.backend.db, 'sven', ['security_engineer']);
    const releaser = await seedUser(dashboard.backend.db, 'rolf', ['release_engineer']);
    await seedFleet(dashboard.backend.db, FLEET);
    await seedFixedVulnerability(dashboard.backend.db, dashboard.backend.blobDir, security, releaser, approver);
  });

  it('is created, approved by another user, started, followed live and paused', async () => {
    // The manager creates a draft: releases, the vulnerability they fix, a filter with a live count.
    const { context, page } = await dashboard.signedIn(manager.token);
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name').fill('BCM session bypass fix');
    await page.getByLabel(/Body controller 4\.2\.0 \(BCM-HW-7/).check();
    await page.getByLabel(/fixes #\d+ BCM diagnostic session bypass/).check();
    const count = page.locator('output#target-count');
    await expect.poll(() => count.textContent()).toBe(`${FLEET} matching vehicles`);
    await page.getByLabel('Regions').fill('US');
    await expect.poll(() => count.textContent()).toBe('4 matching vehicles');
    await page.getByLabel('Regions').fill('');
    await expect.poll(() => count.textContent()).toBe(`${FLEET} matching vehicles`);
    await page.getByRole('button', { name: 'Create draft' }).click();
    const flash = await page.locator('.flash').textContent();
    expect(flash, flash ?? '').toMatch(/^Draft “BCM session bypass fix” created/);
    const campaignUrl = page.url();
    expect(new URL(campaignUrl).pathname).toMatch(/^\/ui\/campaigns\/\d+$/);
    const campaignId = Number(campaignUrl.split('/').at(-1));
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('draft');
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('pending approval');
    // Four-eyes: the creator is not offered the approval, even with the approver's role elsewhere.
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);

    // Another user approves.
    const second = await dashboard.signedIn(approver.token, `/ui/campaigns/${campaignId}`);
    await expect(second.page.getByRole('button', { name: 'Start' }).count()).resolves.toBe(0);
    await second.page.getByLabel('Comment').fill('four-eyes review done');
    await second.page.getByRole('button', { name: 'Approve' }).click();
    await expect(second.page.locator('#campaign-state').textContent()).resolves.toBe('approved');
    await expect(second.page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    await second.context.close();

    // The manager starts it and watches it progress without reloading.
    await page.reload();
    await page.getByRole('button', { name: 'Start' }).click();
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('running');
    await expect.poll(() => page.locator('#live-status').textContent()).toMatch(/^live · updated/);
    const vins = (await listCampaignVehicles(dashboard.backend.db, campaignId, {}, { limit: 100 })).items.map(
      (v) => v.vin,
    );
    expect(vins).toHaveLength(FLEET);
    const reports = (state: VehicleReport['state'], from: number, to: number, extra: Partial<VehicleReport> = {}) =>
      vins.slice(from, to).map((vin) => ({ vin, state, ...extra }));
    // Reports carry the time the vehicle reached the state: spread over the last hour for the chart.
    const ago = (minutes: number) => ({ at: new Date(Date.now() - minutes * 60_000) });
    await applyVehicleReports(dashboard.backend.db, campaignId, [
      ...reports('offered', 0, 10, ago(55)),
      ...reports('downloading', 0, 10, ago(45)),
    ]);
    await expect.poll(() => page.locator('[data-group-count=in_progress]').textContent()).toBe('10');
    await applyVehicleReports(dashboard.backend.db, campaignId, [
      ...reports('installing', 0, 10, ago(30)),
      ...reports('succeeded', 0, 3, ago(20)),
      ...reports('succeeded', 3, 6, ago(10)),
    ]);
    // Three vehicles fail: their body controllers refused programming (NRC 0x72).
    await applyVehicleReports(
      dashboard.backend.db,
      campaignId,
      vins.slice(6, 9).map((vin) => ({
        vin,
        state: 'failed' as const,
        ...ago(5),
        error: 'BCM refused programming',
        ecus: [{ serial: `BCM-${Number(vin.slice(-9))}`, result: 'failed' as const, nrc: '0x72' }],
      })),
    );
    await expect.poll(() => page.locator('[data-group-count=succeeded]').textContent()).toBe('6');
    await expect.poll(() => page.locator('[data-group-count=failed]').textContent()).toBe('3');
    await expect(page.locator('#campaign-progress [data-progress-text]').textContent()).resolves.toBe(
      '50 % succeeded · 3 failed · 12 vehicles',
    );

    // A reload shows the grouped failure reasons and the chart drawn from the state history.
    await page.reload();
    await expect(page.getByRole('table', { name: 'By negative response code' }).textContent()).resolves.toContain(
      '0x72',
    );
    await expect(page.getByRole('table', { name: 'By vehicle error' }).textContent()).resolves.toContain(
      'BCM refused programming',
    );
    await expect(page.locator('#state-chart canvas').count()).resolves.toBe(1);
    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // The README's picture is refreshed on request only, so a test run leaves the tree clean.
    if (process.env.UPDATE_DOCS === '1') await copyFile(SCREENSHOT, 'docs/dashboard-campaign.png');

    // Pausing needs a reason; then resume is offered instead of pause.
    await page.getByLabel('Reason to pause').fill('failure rate above threshold');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('paused');
    await expect(page.getByRole('button', { name: 'Resume' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Pause' }).count()).resolves.toBe(0);

    // The list shows it with its state and progress.
    await page.getByRole('link', { name: 'All campaigns' }).click();
    const row = page.getByRole('row', { name: /BCM session bypass fix/ });
    await expect(row.textContent()).resolves.toContain('paused');
    await expect(row.textContent()).resolves.toContain('50 % succeeded');
    await context.close();
  });
});
