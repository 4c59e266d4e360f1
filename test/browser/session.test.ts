import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../backend/audit/service.ts';
import { createUser, issueToken, revokeToken } from '../../backend/users/service.ts';
import { useDashboard } from './server.ts';

describe('dashboard sessions in chromium', () => {
  const dashboard = useDashboard();
  let token: string;

  beforeAll(async () => {
    const user = await createUser(dashboard.backend.db, SYSTEM_ACTOR, { name: 'carla', roles: ['campaign_manager'] });
    const issued = await issueToken(dashboard.backend.db, SYSTEM_ACTOR, user.id, 'browser');
    token = issued.token;
  });

  /** Signs in and waits for the page that follows (the click returns before it has loaded). */
  async function signIn(page: Page, withToken: string, outcome: 'accepted' | 'refused' = 'accepted'): Promise<void> {
    await page.getByLabel('API token').fill(withToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (outcome === 'accepted') await page.waitForURL((url) => url.pathname !== '/ui/sign-in');
    else await page.getByRole('alert').waitFor();
  }

  it('shows nothing without a session and sends the visitor to sign in', async () => {
    const page = await dashboard.browser.newPage();
    await page.goto(`${dashboard.backend.baseUrl}/ui/campaigns`);
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    const asset = await page.request.get(`${dashboard.backend.baseUrl}/ui/assets/uPlot.min.js`);
    expect(asset.status()).toBe(401);
    await page.close();
  });

  it('refuses an unknown token and keeps no cookie', async () => {
    const context = await dashboard.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dashboard.backend.baseUrl}/ui/sign-in`);
    await signIn(page, 'ota_not-a-real-token-at-all', 'refused');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('unknown or revoked');
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  it('signs in with a token kept in an HttpOnly SameSite=Strict cookie, returns to the page asked for', async () => {
    const context = await dashboard.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dashboard.backend.baseUrl}/ui/fleet`);
    await signIn(page, token);
    expect(new URL(page.url()).pathname).toBe('/ui/fleet');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'ota_session', httpOnly: true, sameSite: 'Strict', path: '/ui' });
    expect(await page.evaluate('document.cookie')).toBe('');
    await expect(page.getByRole('navigation', { name: 'Main' }).isVisible()).resolves.toBe(true);
    await context.close();
  });

  it('refuses a form post without the CSRF token or from another origin', async () => {
    const context = await dashboard.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dashboard.backend.baseUrl}/ui/sign-in`);
    await signIn(page, token);
    const noToken = await page.request.post(`${dashboard.backend.baseUrl}/ui/sign-out`, {
      headers: { origin: dashboard.backend.baseUrl },
      form: { _csrf: 'wrong' },
    });
    expect(noToken.status()).toBe(403);
    const csrf = await page.locator('meta[name=csrf-token]').getAttribute('content');
    const crossSite = await page.request.post(`${dashboard.backend.baseUrl}/ui/sign-out`, {
      headers: { origin: 'http://evil.example' },
      form: { _csrf: csrf ?? '' },
    });
    expect(crossSite.status()).toBe(403);
    await context.close();
  });

  it('ends the session when the token is revoked', async () => {
    const context = await dashboard.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dashboard.backend.baseUrl}/ui/sign-in`);
    const user = await createUser(dashboard.backend.db, SYSTEM_ACTOR, { name: 'short-lived', roles: ['auditor'] });
    const issued = await issueToken(dashboard.backend.db, SYSTEM_ACTOR, user.id, 'browser');
    await signIn(page, issued.token);
    expect(new URL(page.url()).pathname).not.toBe('/ui/sign-in');
    await revokeToken(dashboard.backend.db, SYSTEM_ACTOR, issued.id, 'test');
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
    await context.close();
  });

  it('signs out', async () => {
    const context = await dashboard.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${dashboard.backend.baseUrl}/ui/sign-in`);
    await signIn(page, token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });
});
