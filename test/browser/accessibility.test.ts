import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../backend/app.ts';
import { BlobStore } from '../../backend/blobs/store.ts';
import { dashboardRoutes } from '../../backend/dashboard/routes.tsx';
import { ROLES } from '../../backend/users/types.ts';
import { seriousAxeViolations } from './axe.ts';
import type { AxeViolation } from './axe.ts';
import {
  badSignatureEvent,
  seedDraftCampaign,
  seedFixedVulnerability,
  seedFleet,
  seedSecurityEvents,
  seedSubmittedCampaign,
  seedUser,
} from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

// Every dashboard page, found from the dashboard's registered GET routes, is opened by a user holding
// every role (so every page and action is shown) and checked with axe-core: no serious or critical
// violation, and nothing failing in the console (a missing favicon included). A new page without a
// path parameter is covered with no change here; one with a parameter needs its line in SAMPLES.

/** GET routes that are not pages, and why. */
const NOT_PAGES: Record<string, string> = {
  '/': 'redirects to /campaigns',
  '/assets/:file': 'scripts and stylesheets',
  '/campaigns/target-count': 'JSON for the campaign form',
  '/campaigns/:id/live': 'server-sent events',
  '/vulnerabilities/cvss-score': 'JSON for the assessment form',
  '/vulnerabilities/:id/deadline-preview': 'JSON for the assessment form',
  '/campaigns/:id/panel': 'a fragment the campaign page swaps in when the state changes',
  '/evidence/download': 'a file download',
};

interface World {
  campaignId: number;
  draftId: number;
  securityEventId: string;
  vulnerabilityId: number;
  releaseId: number;
  vin: string;
  userId: number;
}

/** A concrete path for each route with parameters. */
const SAMPLES: Record<string, (w: World) => string> = {
  '/campaigns/:id': (w) => `/campaigns/${w.campaignId}`,
  '/vulnerabilities/:id': (w) => `/vulnerabilities/${w.vulnerabilityId}`,
  '/fleet/:vin': (w) => `/fleet/${w.vin}`,
  '/admin/users/:id': (w) => `/admin/users/${w.userId}`,
  '/campaigns/:id/vehicles': (w) => `/campaigns/${w.campaignId}/vehicles`,
  '/campaigns/:id/delete': (w) => `/campaigns/${w.draftId}/delete`,
  '/security-events/:id': (w) => `/security-events/${w.securityEventId}`,
  '/releases/:id': (w) => `/releases/${w.releaseId}`,
  '/releases/:id/components': (w) => `/releases/${w.releaseId}/components`,
  '/releases/:id/vex/:vulnerabilityId': (w) => `/releases/${w.releaseId}/vex/${w.vulnerabilityId}`,
};

/** Further states of pages worth checking: results, refused input, the error page. */
const VARIANTS: ((w: World) => string)[] = [
  () => '/fleet?vin=WVW',
  () => '/audit?from=yesterday',
  () => '/campaigns/999999',
];

function registeredPagePaths(routes: readonly { method: string; path: string }[]): string[] {
  const paths = routes.filter((r) => r.method === 'GET').map((r) => r.path);
  return [...new Set(paths)].filter((p) => !(p in NOT_PAGES));
}

describe('accessibility of every dashboard page, in chromium with axe-core', () => {
  const dashboard = useDashboard();
  let everyone: SeededUser;
  let world: World;
  let pages: string[];

  beforeAll(async () => {
    const db = dashboard.backend.db;
    everyone = await seedUser(db, 'all-roles', [...ROLES]);
    const manager = await seedUser(db, 'maria', ['campaign_manager']);
    const security = await seedUser(db, 'sven', ['security_engineer']);
    const releaser = await seedUser(db, 'rolf', ['release_engineer']);
    const approver = await seedUser(db, 'anton', ['approver']);
    const [vin] = await seedFleet(db, 3);
    const fixed = await seedFixedVulnerability(db, dashboard.backend.blobDir, security, releaser, approver);
    const campaign = await seedSubmittedCampaign(db, manager, fixed.releaseId);
    const draft = await seedDraftCampaign(db, manager, fixed.releaseId);
    const [securityEventId = ''] = await seedSecurityEvents(db, [badSignatureEvent(vin ?? '', '2026-12-04T21:00:00Z')]);
    world = {
      ...fixed,
      campaignId: campaign.id,
      draftId: draft.id,
      securityEventId,
      vin: vin ?? '',
      userId: manager.id,
    };
    // The dashboard's own route table, as createApp mounts it.
    const routeTable = dashboardRoutes({
      db,
      api: createApp({ db, blobDir: dashboard.backend.blobDir }),
      images: { blobs: new BlobStore(dashboard.backend.blobDir) },
    });
    pages = registeredPagePaths(routeTable.routes);
  }, 120_000);

  it('has a sample path for every page route with a parameter', () => {
    expect(pages.filter((p) => p.includes(':') && !(p in SAMPLES))).toEqual([]);
    expect(pages.length).toBeGreaterThan(8);
  });

  it('finds what axe-core reports as critical (the check can fail)', async () => {
    const page = await dashboard.browser.newPage();
    try {
      await page.setContent('<html lang="en"><title>t</title><main><img src="data:,"><button></button></main></html>');
      const ids = (await seriousAxeViolations(page)).map((v) => v.id).sort();
      expect(ids).toEqual(['button-name', 'image-alt']);
    } finally {
      await page.close();
    }
  });

  async function check(page: Page, path: string, found: Map<string, AxeViolation[] | string>) {
    const failures: string[] = [];
    const isPage = (url: string) => new URL(url).pathname === `/ui${path.split('?')[0]}`;
    const onConsole = (m: { type(): string; text(): string; location(): { url: string } }) => {
      // A variant may answer 4xx on purpose; Chromium logs that status of the page itself.
      const ownStatus =
        isPage(m.location().url || dashboard.backend.baseUrl) && m.text().startsWith('Failed to load resource');
      if (m.type() === 'error' && !ownStatus) failures.push(`console: ${m.text()}`);
    };
    const onResponse = (r: { status(): number; url(): string }) => {
      if (r.status() >= 400 && !isPage(r.url())) {
        failures.push(`${r.status()} ${r.url()}`);
      }
    };
    page.on('console', onConsole);
    page.on('response', onResponse);
    await page.goto(`${dashboard.backend.baseUrl}/ui${path}`, { waitUntil: 'load' });
    const violations = await seriousAxeViolations(page);
    page.off('console', onConsole);
    page.off('response', onResponse);
    if (failures.length) found.set(`${path} (loads)`, failures.join('; '));
    if (violations.length) found.set(path, violations);
  }

  it('has no serious or critical axe violation and no failed request on any page', async () => {
    const context = await dashboard.browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const found = new Map<string, AxeViolation[] | string>();
    try {
      // Signed out: the sign-in page, then signed in with the all-roles token.
      await check(page, '/sign-in', found);
      await page.getByLabel('API token').fill(everyone.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname !== '/ui/sign-in');
      const paths = [
        ...pages.filter((p) => p !== '/sign-in').map((p) => SAMPLES[p]?.(world) ?? p),
        ...VARIANTS.map((v) => v(world)),
      ];
      for (const path of paths) await check(page, path, found);
      expect(paths.length).toBeGreaterThan(10);
    } finally {
      await context.close();
    }
    expect(Object.fromEntries(found)).toEqual({});
  });
});
