import type { Browser, BrowserContext, Page } from 'playwright-core';

/** A fresh browser context (its own cookies) signed in to the dashboard with an API token. */
export async function signedIn(
  browser: Browser,
  baseUrl: string,
  token: string,
  path = '/ui/campaigns',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/ui/sign-in');
  return { context, page };
}
