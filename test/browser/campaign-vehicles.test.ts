import { copyFile, mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createCampaign,
  listCampaignVehicles,
  loadCampaign,
  transitionCampaign,
} from '../../backend/campaigns/service.ts';
import { applyVehicleReports } from '../../backend/campaigns/vehicle-state.ts';
import type { VehicleReport } from '../../backend/campaigns/vehicle-state.ts';
import { campaignProgress } from '../../backend/campaigns/waves.ts';
import { seedCampaignWorld } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

const FLEET = 12;
const SCREENSHOT = 'test-artifacts/dashboard-campaign-vehicles.png';

// The campaign manager's running campaign: detailed states followed live, the per-vehicle table
// with each ECU's outcome, retrying the failed vehicles, actions that follow the state, completing.

describe('a running campaign vehicle by vehicle, in chromium', () => {
  const dashboard = useDashboard();
  let manager: SeededUser;
  let campaignId: number;
  let vins: string[];

  beforeAll(async () => {
    const world = await seedCampaignWorld(dashboard.backend.db, dashboard.backend.blobDir, FLEET);
    manager = world.manager;
    const { approver, releaseId } = world;
    const created = await createCampaign(dashboard.backend.db, manager.actor, {
      name: 'Body controller 4.2.0 for every sedan in the fleet, a name long enough to need wrapping on a laptop',
      kind: 'bug_fix',
      releaseIds: [releaseId],
      vulnerabilityIds: [],
      targetFilter: { modelIds: ['sedan-x'], modelYears: { from: 2022 } },
      installPolicy: { windows: [], preconditions: ['parked'], driverConsentRequired: false },
      waves: [{ cumulativePercent: 100, successThreshold: 0.5, errorThreshold: 0.9, soakMinutes: 0 }],
      pacingPerMinute: 100,
    });
    campaignId = created.id;
    await transitionCampaign(dashboard.backend.db, manager.actor, campaignId, { action: 'submit', reason: 'ready' });
    await transitionCampaign(dashboard.backend.db, approver.actor, campaignId, {
      action: 'approve',
      reason: 'checked',
    });
    await transitionCampaign(dashboard.backend.db, manager.actor, campaignId, { action: 'start', reason: 'go' });
    vins = (await listCampaignVehicles(dashboard.backend.db, campaignId, {}, { limit: 100 })).items.map((v) => v.vin);
  });

  const serialOf = (vin: string) => `BCM-${Number(vin.slice(-9))}`;
  const report = (state: VehicleReport['state'], from: number, to: number): VehicleReport[] =>
    vins.slice(from, to).map((vin) => ({ vin, state }));
  const stateCount = (page: Page, state: string) => page.locator(`[data-state-count=${state}]`).textContent();
  const states = async () => (await campaignProgress(dashboard.backend.db, campaignId)).byState;

  it('follows the detailed states live, lists every vehicle with its ECUs and retries the failed ones', async () => {
    const { context, page } = await dashboard.signedIn(manager.token, `/ui/campaigns/${campaignId}`);
    // Facts in words: the releases by ECU name and version, the targets as sentences.
    const facts = page.getByRole('region', { name: 'Facts' });
    await expect(facts.textContent()).resolves.toContain('Body controller 4.2.0 (BCM-HW-7)');
    await expect(facts.textContent()).resolves.toContain('Models: sedan-x');
    await expect(facts.textContent()).resolves.toContain('Model year 2022 or later');
    await expect(facts.textContent()).resolves.not.toContain('{');
    await expect.poll(() => page.locator('#live-status').textContent()).toMatch(/^live · updated/);

    await applyVehicleReports(dashboard.backend.db, campaignId, [
      ...report('offered', 0, 10),
      ...report('downloading', 0, 8),
    ]);
    await expect.poll(() => stateCount(page, 'downloading')).toBe('8');
    await expect.poll(() => stateCount(page, 'offered')).toBe('2');
    await applyVehicleReports(dashboard.backend.db, campaignId, [
      ...report('installing', 0, 6),
      ...vins.slice(0, 3).map((vin) => ({
        vin,
        state: 'succeeded' as const,
        ecus: [{ serial: serialOf(vin), result: 'succeeded' as const, bytesOnBus: 4096, durationMs: 12_400 }],
      })),
      ...vins.slice(3, 6).map((vin) => ({
        vin,
        state: 'failed' as const,
        error: 'BCM refused programming',
        ecus: [
          {
            serial: serialOf(vin),
            result: 'failed' as const,
            nrc: '0x72',
            error: 'TransferData refused',
            bytesOnBus: 1024,
            durationMs: 850,
          },
        ],
      })),
    ]);
    await expect.poll(() => stateCount(page, 'failed')).toBe('3');
    await expect.poll(() => stateCount(page, 'installing')).toBe('0');
    // The retry button appears with the failures, without a reload.
    const retry = page.getByRole('button', { name: 'Retry 3 failed vehicles' });
    await expect.poll(() => retry.count()).toBe(1);

    // The per-vehicle table, filtered to the failed ones: each ECU's versions, outcome, NRC by name.
    await page.getByRole('link', { name: 'Every vehicle with its ECUs' }).click();
    await page.getByLabel('State').selectOption('failed');
    await page.getByRole('button', { name: 'Show' }).click();
    const table = page.locator('table#campaign-vehicles');
    await expect(table.locator('tbody').count()).resolves.toBe(3);
    const first = table.locator(`tbody[data-vin="${vins[3]}"]`);
    const cells = await first.locator('td, th').allTextContents();
    expect(cells.map((t) => t.trim())).toEqual([
      vins[3],
      '1',
      expect.stringMatching(/^failed\s*since/),
      'BCM refused programming',
      'Body controller BCM-HW-7',
      '4.1.0',
      '4.2.0',
      'failed',
      '0x72 generalProgrammingFailure',
      'TransferData refused',
      '1.0 KiB',
      '850 ms',
    ]);
    await expect(page.getByLabel('State').inputValue()).resolves.toBe('failed');

    // Paged by VIN: 10, then the remaining 2, then back to the first page.
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Vehicles per page').selectOption('10');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(table.locator('tbody').count()).resolves.toBe(10);
    await expect(table.locator('tbody').first().getAttribute('data-vin')).resolves.toBe(vins[0]);
    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(table.locator('tbody').count()).resolves.toBe(2);
    await expect(table.locator('tbody').first().getAttribute('data-vin')).resolves.toBe(vins[10]);
    await expect(page.getByRole('link', { name: 'Next page' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'First page' }).click();
    await expect(table.locator('tbody').count()).resolves.toBe(10);
    // The README's picture is refreshed on request only, so a test run leaves the tree clean.
    if (process.env.UPDATE_DOCS === '1') await copyFile(SCREENSHOT, 'docs/dashboard-campaign-vehicles.png');

    // Retrying needs a reason: the empty form is not sent and nothing changes.
    await page.goto(`${dashboard.backend.baseUrl}/ui/campaigns/${campaignId}`);
    await page.getByRole('button', { name: 'Retry 3 failed vehicles' }).click();
    await expect(page.locator('#reason-retry:invalid').count()).resolves.toBe(1);
    expect((await states()).failed).toBe(3);
    await page.getByLabel('Reason to retry').fill('supplier fixed the programming key');
    await page.getByRole('button', { name: 'Retry 3 failed vehicles' }).click();
    await expect(page.locator('.flash').textContent()).resolves.toBe('3 vehicles will be offered the update again.');
    expect(await states()).toMatchObject({ succeeded: 3, pending: 5, offered: 2, downloading: 2 });
    expect((await states()).failed).toBeUndefined();
    const ecus = await dashboard.backend.db
      .selectFrom('campaign_ecus')
      .select(['result', 'nrc'])
      .where('campaign_id', '=', campaignId)
      .where('vin', 'in', vins.slice(3, 6))
      .execute();
    expect(ecus).toEqual(Array(3).fill({ result: null, nrc: null }));
    await expect(page.getByRole('button', { name: /^Retry/ }).count()).resolves.toBe(0);
    await context.close();
  });

  it('changes its banner and actions when the state changes elsewhere, and completes', async () => {
    const { context, page } = await dashboard.signedIn(manager.token, `/ui/campaigns/${campaignId}`);
    await expect(page.getByRole('button', { name: 'Pause' }).count()).resolves.toBe(1);
    await expect.poll(() => page.locator('#live-status').textContent()).toMatch(/^live · updated/);
    // Paused from another session: the page offers Resume instead of Pause, with the paused banner.
    await transitionCampaign(dashboard.backend.db, manager.actor, campaignId, {
      action: 'pause',
      reason: 'night shift check',
    });
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    await expect(page.getByRole('button', { name: 'Pause' }).count()).resolves.toBe(0);
    await expect(page.locator('#campaign-panel .banner').textContent()).resolves.toMatch(/^Paused: no new offers/);
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('running');
    // Completing while vehicles still download is refused by the domain's rule, and nothing changes.
    await page.getByLabel('Reason to complete').fill('enough vehicles updated');
    await page.getByRole('button', { name: 'Complete campaign' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('2 vehicles are still installing');
    expect((await loadCampaign(dashboard.backend.db, campaignId)).state).toBe('running');

    await applyVehicleReports(dashboard.backend.db, campaignId, report('succeeded', 6, 8));
    await page.getByLabel('Reason to complete').fill('enough vehicles updated');
    await page.getByRole('button', { name: 'Complete campaign' }).click();
    await expect(page.locator('#campaign-state').textContent()).resolves.toBe('completed');
    await expect(page.locator('#campaign-panel .banner').textContent()).resolves.toMatch(/^Completed/);
    await expect(page.getByRole('button', { name: 'Complete campaign' }).count()).resolves.toBe(0);
    expect((await loadCampaign(dashboard.backend.db, campaignId)).state).toBe('completed');
    // The vehicles never offered or only offered are cancelled; the updated ones stay.
    expect(await states()).toEqual({ succeeded: 5, cancelled: 7 });
    await context.close();
  });
});
