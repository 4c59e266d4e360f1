import { beforeAll, describe, expect, it } from 'vitest';
import { changeVulnerabilityPhase, reportVulnerability } from '../../backend/vulnerabilities/service.ts';
import { assessVulnerability } from '../../backend/vulnerabilities/service.ts';
import { HARDWARE_ID, seedFixedVulnerability, seedFleet, seedUser, vinOf } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

const DAY = 86_400_000;

describe('vulnerability board, assessment form and fleet search in chromium', () => {
  const dashboard = useDashboard();
  let security: SeededUser;
  let fresh: number;
  let overdue: number;

  beforeAll(async () => {
    const db = dashboard.backend.db;
    security = await seedUser(db, 'sam', ['security_engineer']);
    const releaser = await seedUser(db, 'rita', ['release_engineer']);
    const approver = await seedUser(db, 'alex', ['approver']);
    await seedFleet(db, 3);
    await seedFixedVulnerability(db, dashboard.backend.blobDir, security, releaser, approver);
    const report = (title: string) =>
      reportVulnerability(db, security.actor, {
        title,
        description: '',
        reporter: 'CERT',
        reporterKind: 'cert',
        reporterContact: null,
        attackVectorNote: null,
        impactNote: null,
        intrusionLevel: null,
        affected: [{ hardwareId: HARDWARE_ID, versions: ['4.1.0'] }],
      });
    // Confirmed 200 days ago: whatever its class, the deadline has passed.
    const old = await report('Old telematics issue');
    const longAgo = new Date(Date.now() - 200 * DAY);
    await changeVulnerabilityPhase(db, security.actor, old.id, { to: 'reviewing', reason: 'x' }, { now: longAgo });
    await changeVulnerabilityPhase(db, security.actor, old.id, { to: 'assessing', reason: 'x' }, { now: longAgo });
    await assessVulnerability(db, security.actor, old.id, {
      cvssVector: 'CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N',
      exploitAvailable: false,
      workaroundExists: true,
      safetyRelevant: false,
      rootCause: null,
    });
    overdue = old.id;
    const recent = await report('CAN gateway filter gap');
    await changeVulnerabilityPhase(db, security.actor, recent.id, { to: 'reviewing', reason: 'x' });
    await changeVulnerabilityPhase(db, security.actor, recent.id, { to: 'assessing', reason: 'x' });
    fresh = recent.id;
  });

  it('shows the board by phase with overdue items first', async () => {
    const { context, page } = await dashboard.signedIn(security.token, '/ui/vulnerabilities');
    const column = page.getByRole('region', { name: /^assessing/ });
    const items = column.getByRole('listitem');
    await expect(items.count()).resolves.toBe(2);
    await expect(items.first().textContent()).resolves.toContain(`#${overdue} Old telematics issue`);
    await expect(items.first().locator('.overdue').textContent()).resolves.toMatch(/days overdue/);
    await expect(items.nth(1).textContent()).resolves.toContain('not assessed');
    await expect(page.getByRole('region', { name: /^addressing/ }).textContent()).resolves.toContain(
      'BCM diagnostic session bypass',
    );
    await context.close();
  });

  it('computes the CVSS score while the vector is typed and records the assessment', async () => {
    const { context, page } = await dashboard.signedIn(security.token, `/ui/vulnerabilities/${fresh}`);
    const vector = page.getByLabel('CVSS base vector (v3.1 or v4.0)');
    await vector.fill('CVSS:3.1/AV:N/AC:L');
    const score = page.locator('output#cvss-score');
    await expect.poll(() => score.textContent()).toMatch(/^invalid/);
    await vector.fill('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    await expect.poll(() => score.textContent()).toBe('9.8 (critical)');
    await page.getByLabel('An exploit is available').check();
    await page.getByRole('button', { name: 'Record assessment' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(
      // The body controllers are QM and on the internal bus only: MAV:A in the fleet (README, contextual CVSS).
      'Assessment recorded: 9.8 (critical), in the fleet 8.8 (high), delivery class urgent.',
    );
    await expect(page.locator('.sev-critical').first().textContent()).resolves.toContain('9.8');
    await context.close();
  });

  it('offers no assessment form to a role the API does not allow to assess', async () => {
    const viewer = await seedUser(dashboard.backend.db, 'audrey', ['auditor']);
    const { context, page } = await dashboard.signedIn(viewer.token, `/ui/vulnerabilities/${fresh}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('CAN gateway filter gap');
    await expect(page.getByLabel('CVSS base vector (v3.1 or v4.0)').count()).resolves.toBe(0);
    await context.close();
  });

  it('finds a vehicle by VIN prefix and shows its ECUs and history', async () => {
    const { context, page } = await dashboard.signedIn(security.token, '/ui/fleet');
    await page.getByLabel('VIN or its start').fill('wvwdash');
    await page.getByLabel('VIN or its start').press('Enter');
    const links = page.locator('table#fleet-vehicles tbody').getByRole('link');
    await expect(links.count()).resolves.toBe(3);
    await links.nth(1).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Vehicle ${vinOf(2)}`);
    const ecus = page.getByRole('table', { name: 'ECUs' });
    await expect(ecus.textContent()).resolves.toContain(HARDWARE_ID);
    await expect(ecus.textContent()).resolves.toContain('4.1.0');
    await expect(page.getByRole('table', { name: 'Software history' }).textContent()).resolves.toContain(
      'registration',
    );
    await page.goto(`${dashboard.backend.baseUrl}/ui/fleet`);
    await page.getByLabel('VIN or its start').fill('WVWDASH0999999999');
    await page.getByLabel('VIN or its start').press('Enter');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('vehicle WVWDASH0999999999 does not exist');
    await context.close();
  });
});
