import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../backend/audit/service.ts';
import { seedFleet, seedUser, vinOf } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

// The fleet list with its filters and pages, and a vehicle's lifecycle changed with a confirmation.

describe('the fleet in chromium', () => {
  const dashboard = useDashboard();
  let security: SeededUser;

  beforeAll(async () => {
    security = await seedUser(dashboard.backend.db, 'sven', ['security_engineer']);
    // 12 sedans: model year 2023 for odd numbers, region US for every third.
    await seedFleet(dashboard.backend.db, 12);
  });

  const rows = (page: Page) => page.locator('table#fleet-vehicles tbody tr');
  const vinsShown = async (page: Page) => Promise.all((await rows(page).all()).map((r) => r.getAttribute('data-vin')));
  const show = (page: Page) => page.getByRole('button', { name: 'Show vehicles' }).click();
  const lifecycleOf = async (vin: string) =>
    await dashboard.backend.db
      .selectFrom('vehicles')
      .select(['lifecycle', 'owner_ref'])
      .where('vin', '=', vin)
      .executeTakeFirstOrThrow();

  it('lists vehicles without a VIN, filters them, pages them and refuses a bad filter', async () => {
    const { context, page } = await dashboard.signedIn(security.token, '/ui/fleet');
    await expect(rows(page).count()).resolves.toBe(12);
    await expect(rows(page).first().textContent()).resolves.toContain('Body controller 4.1.0, Telematics unit 2.0.0');

    await page.getByLabel('Region').fill('US');
    await show(page);
    await expect(vinsShown(page)).resolves.toEqual([3, 6, 9, 12].map(vinOf));
    await page.getByLabel('Model year').fill('2023');
    await show(page);
    await expect(vinsShown(page)).resolves.toEqual([3, 9].map(vinOf));
    await page.getByLabel('Model', { exact: true }).selectOption('sedan-x');
    await page.getByLabel('ECU hardware id').fill('BCM-HW-7');
    await page.getByLabel('ECU version').fill('4.1.0');
    await show(page);
    await expect(vinsShown(page)).resolves.toEqual([3, 9].map(vinOf));
    await page.getByLabel('ECU version').fill('4.2.0');
    await show(page);
    await expect(page.getByRole('status').textContent()).resolves.toBe('No vehicle matches these filters.');

    // A model year the API refuses: named by its label, what was typed stays.
    await page.getByRole('link', { name: 'Clear the filters' }).click();
    await page.getByLabel('Region').fill('EU');
    await page.getByLabel('Model year').fill('1850');
    await show(page);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^Model year: /);
    await expect(page.getByLabel('Model year').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Region').inputValue()).resolves.toBe('EU');
    await expect(page.getByLabel('Model year').inputValue()).resolves.toBe('1850');

    // Pages of 10 by VIN, and a VIN prefix.
    await page.getByRole('link', { name: 'Clear the filters' }).click();
    await page.getByLabel('Vehicles per page').selectOption('10');
    await show(page);
    await expect(rows(page).count()).resolves.toBe(10);
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(vinsShown(page)).resolves.toEqual([11, 12].map(vinOf));
    await page.getByRole('link', { name: 'First page' }).click();
    await expect(rows(page).count()).resolves.toBe(10);
    await page.getByLabel('VIN or its start').fill(vinOf(12).slice(0, 16));
    await show(page);
    await expect(vinsShown(page)).resolves.toEqual([10, 11, 12].map(vinOf));
    await context.close();
  });

  it('isolates, transfers and retires vehicles after a confirmation, refusing a blank reason', async () => {
    const { context, page } = await dashboard.signedIn(security.token, '/ui/fleet');
    const vin = vinOf(5);
    await page.getByRole('link', { name: vin }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Vehicle ${vin}`);
    await expect(page.getByRole('table', { name: 'ECUs' }).textContent()).resolves.toContain('BCM-HW-7');
    await expect(page.getByRole('table', { name: 'Software history' }).textContent()).resolves.toContain(
      'registration',
    );

    // A reason of blanks passes the browser but not the API's rule: refused, named, nothing changed.
    await page.getByRole('radio', { name: /Isolate/ }).check();
    await page.getByLabel('Reason').fill('   ');
    await page.getByRole('button', { name: 'Review the change…' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^Reason: /);
    await expect(page.getByRole('radio', { name: /Isolate/ }).isChecked()).resolves.toBe(true);
    expect((await lifecycleOf(vin)).lifecycle).toBe('active');

    // The confirmation step; declining it changes nothing.
    await page.getByLabel('Reason').fill('gateway key leaked');
    await page.getByRole('button', { name: 'Review the change…' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Isolate vehicle ${vin}?`);
    await page.getByRole('link', { name: 'Do not change it' }).click();
    expect((await lifecycleOf(vin)).lifecycle).toBe('active');
    await page.getByRole('radio', { name: /Isolate/ }).check();
    await page.getByLabel('Reason').fill('gateway key leaked');
    await page.getByRole('button', { name: 'Review the change…' }).click();
    await page.getByRole('button', { name: 'Confirm: isolate' }).click();
    await expect(page.locator('.flash').textContent()).resolves.toBe(`Vehicle ${vin} is now isolated.`);
    expect((await lifecycleOf(vin)).lifecycle).toBe('isolated');
    const audit = await listAuditEntries(dashboard.backend.db, { entityType: 'vehicle', entityId: vin }, { limit: 10 });
    expect(audit.items.at(-1)).toMatchObject({ action: 'vehicle.lifecycle', reason: 'gateway key leaked' });

    // End of life from isolated: final, so no lifecycle form is left.
    await page.getByRole('radio', { name: /End of life/ }).check();
    await page.getByLabel('Reason').fill('written off');
    await page.getByRole('button', { name: 'Review the change…' }).click();
    await page.getByRole('button', { name: 'Confirm: end of life' }).click();
    expect((await lifecycleOf(vin)).lifecycle).toBe('end_of_life');
    await expect(page.getByRole('region', { name: 'Change the lifecycle' }).count()).resolves.toBe(0);

    // An ownership transfer with the new owner's reference.
    const sold = vinOf(7);
    await page.goto(`${dashboard.backend.baseUrl}/ui/fleet/${sold}`);
    await page.getByRole('radio', { name: /Transfer ownership/ }).check();
    await page.getByLabel('Reason').fill('sold to a new owner');
    await page.getByLabel('New owner reference (ownership transfer only)').fill('owner-4711');
    await page.getByRole('button', { name: 'Review the change…' }).click();
    await expect(page.getByRole('main').textContent()).resolves.toContain('owner-4711');
    await page.getByRole('button', { name: 'Confirm: transfer ownership' }).click();
    expect(await lifecycleOf(sold)).toEqual({ lifecycle: 'ownership_transferred', owner_ref: 'owner-4711' });

    // The list filters by lifecycle state.
    await page.goto(`${dashboard.backend.baseUrl}/ui/fleet`);
    await page.getByLabel('Lifecycle state').selectOption('end_of_life');
    await show(page);
    await expect(vinsShown(page)).resolves.toEqual([vin]);
    await context.close();
  });

  it('offers the lifecycle form only to the roles the API lets change it', async () => {
    const manager = await seedUser(dashboard.backend.db, 'maria', ['campaign_manager']);
    const { context, page } = await dashboard.signedIn(manager.token, `/ui/fleet/${vinOf(1)}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Vehicle ${vinOf(1)}`);
    await expect(page.getByRole('region', { name: 'Change the lifecycle' }).count()).resolves.toBe(0);
    await context.close();
  });
});
