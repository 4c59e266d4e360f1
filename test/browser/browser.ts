import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. Without chromium they are skipped on a laptop, but in CI
 * (CI=true) a missing browser is a failure, so the suite never passes by testing nothing.
 */
export function browserAvailability(): { run: boolean; reason?: string } {
  if (existsSync(CHROMIUM)) return { run: true };
  if (process.env.CI === 'true') return { run: true, reason: `${CHROMIUM} is missing (apt-get install chromium)` };
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium); in CI this fails`);
  return { run: false };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: the dashboard's browser tests need Debian's chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
