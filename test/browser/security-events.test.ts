import { beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@ota/protocol';
import { badSignatureEvent, seedFleet, seedSecurityEvents, seedUser, type SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

describe('security events pages in chromium', () => {
  const dashboard = useDashboard();
  let security: SeededUser;
  let vins: string[];

  beforeAll(async () => {
    security = await seedUser(dashboard.backend.db, 'sam', ['security_engineer']);
    vins = await seedFleet(dashboard.backend.db, 2);
    // Stored as the ingest stores them (the signature was checked there; these tests are about the pages).
    const events: SecurityEvent[] = [
      badSignatureEvent(vins[0]!, '2026-12-04T21:00:00Z'),
      {
        vin: vins[1]!,
        counter: 0,
        at: '2026-12-04T22:00:00Z',
        severity: 'high',
        type: 'can_unsent_diagnostic_request',
        bus: 'vcan0',
        canId: 0x7e0,
        serviceId: 0x27,
        details: 'vcan0: diagnostic request 0x27 on 0x7E0 that this gateway did not send',
      },
    ];
    await seedSecurityEvents(dashboard.backend.db, events);
  }, 120_000);

  it('filters by type and vehicle, and opens a vulnerability from an event once confirmed', async () => {
    const { context, page } = await dashboard.signedIn(security.token, '/ui/security-events');
    try {
      const rows = page.getByRole('table', { name: 'Security events' }).getByRole('row');
      await expect.poll(() => rows.count()).toBe(3);
      await page.getByLabel('Type').selectOption('metadata_verification_failure');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect.poll(() => rows.count()).toBe(2);
      expect(await rows.nth(1).textContent()).toContain(vins[0]);
      await rows.nth(1).getByRole('link').first().click();
      await page.getByRole('button', { name: 'Open a vulnerability' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Vulnerability #\d+ opened/);
      await page.getByRole('link', { name: /vulnerability #\d+/ }).click();
      await page.waitForURL(/\/ui\/vulnerabilities\/\d+$/);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(vins[0]);
    } finally {
      await context.close();
    }
  });

  it("isolates an intruded vehicle from its event, reached from the vehicle's page", async () => {
    const { context, page } = await dashboard.signedIn(security.token, `/ui/fleet/${vins[1]}`);
    try {
      await page.getByRole('link', { name: `Security events of ${vins[1]}` }).click();
      const rows = page.getByRole('table', { name: 'Security events' }).getByRole('row');
      await expect.poll(() => rows.count()).toBe(2);
      await rows.nth(1).getByRole('link').first().click();
      await page.getByLabel('Reason').fill('unknown tester on the bus');
      await page.getByRole('button', { name: 'Isolate the vehicle' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe(`Vehicle ${vins[1]} isolated.`);
      expect(await page.getByText('No rule proposes an action (now).').count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
