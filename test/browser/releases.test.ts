import { createHash } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../backend/blobs/store.ts';
import { BRAKE_HW, seedAsilVehicle, seedReleaseInInternalTest } from './release-seed.ts';
import { seedFixedVulnerability, seedFleet, seedSubmittedCampaign, seedUser, vinOf } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

const SCREENSHOT = 'test-artifacts/dashboard-release.png';
const LONG_SUPPLIER = `Bremsen-und-Fahrwerkssysteme-Zulieferer-${'Nord'.repeat(20)} GmbH`;
const LOG_SHA = createHash('sha256').update('hil log').digest('hex');

const group = (page: Page, name: string) => page.getByRole('group', { name, exact: true });
const alertText = (page: Page) => page.getByRole('alert').first().innerText();

describe('the release engineer and the approver run a release in chromium', () => {
  const dashboard = useDashboard();
  let engineer: SeededUser;
  let approver: SeededUser;
  let vulnerabilityId: number;
  let fixedRelease: number;

  beforeAll(async () => {
    const db = dashboard.backend.db;
    engineer = await seedUser(db, 'rita', ['release_engineer']);
    approver = await seedUser(db, 'ada', ['approver']);
    const security = await seedUser(db, 'sam', ['security_engineer']);
    const manager = await seedUser(db, 'carl', ['campaign_manager']);
    await seedFleet(db, 2);
    await seedAsilVehicle(db, vinOf(90));
    ({ vulnerabilityId, releaseId: fixedRelease } = await seedFixedVulnerability(
      db,
      dashboard.backend.blobDir,
      security,
      engineer,
      approver,
    ));
    await seedSubmittedCampaign(db, manager, fixedRelease, 'BCM 4.2.0 rollout');
  });

  const releasesOf = (hardwareId: string) =>
    dashboard.backend.db.selectFrom('releases').selectAll().where('hardware_id', '=', hardwareId).execute();

  it('lists and filters releases, and shows what a release fixes and which campaigns use it', async () => {
    const { context, page } = await dashboard.signedIn(engineer.token, '/ui/releases');
    const table = page.getByRole('table', { name: 'Releases' });
    await expect(table.getByRole('link', { name: 'BCM-HW-7 4.2.0' }).count()).resolves.toBe(1);
    await page.getByLabel('Hardware id').fill(BRAKE_HW);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(table.innerText()).resolves.toContain('No release matches the filter.');
    await page.getByLabel('Hardware id').fill('');
    await page.getByLabel('State').selectOption('authorized');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(new URL(page.url()).searchParams.get('state')).toBe('authorized');
    await table.getByRole('link', { name: 'BCM-HW-7 4.2.0' }).click();
    const fixes = page.getByRole('region', { name: 'Fixes' });
    await expect(fixes.innerText()).resolves.toContain(`#${vulnerabilityId} BCM diagnostic session bypass`);
    const campaigns = page.getByRole('region', { name: 'Campaigns using it' });
    await expect(campaigns.getByRole('link', { name: 'BCM 4.2.0 rollout' }).count()).resolves.toBe(1);
    await expect(campaigns.getByRole('link', { name: /Software components/ }).getAttribute('href')).resolves.toBe(
      `/ui/releases/${fixedRelease}/components`,
    );
    await context.close();
  });

  it('creates a release, uploads its image with progress and sha256, and walks the supplier side', async () => {
    const { context, page } = await dashboard.signedIn(engineer.token, '/ui/releases');
    page.setDefaultTimeout(10_000);
    await page.getByRole('link', { name: 'New release' }).click();
    // Bad input: the form comes back filled in, the messages use the form's labels.
    await page.getByLabel('Hardware id').fill(BRAKE_HW);
    await page.getByLabel('Version').fill('5.0 beta');
    await page.getByLabel('Release notes').fill('New brake pressure curve');
    await page.getByLabel(new RegExp(`#${vulnerabilityId} BCM diagnostic session bypass`)).check();
    await page.getByRole('button', { name: 'Create release' }).click();
    const refused = await alertText(page);
    expect(refused).toContain('Version: letters, digits and . _ : + - only');
    expect(refused).toContain('Supplier: required');
    expect(refused).not.toMatch(/json\./);
    await expect(page.getByLabel('Hardware id').inputValue()).resolves.toBe(BRAKE_HW);
    await expect(page.getByLabel('Version').inputValue()).resolves.toBe('5.0 beta');
    await expect(page.getByLabel('Release notes').inputValue()).resolves.toBe('New brake pressure curve');
    await expect(page.getByLabel(new RegExp(`#${vulnerabilityId} `)).isChecked()).resolves.toBe(true);
    expect(await releasesOf(BRAKE_HW)).toHaveLength(0);

    await page.getByLabel('Version').fill('5.0.0');
    await page.getByLabel('Supplier').fill(LONG_SUPPLIER);
    await page.getByRole('button', { name: 'Create release' }).click();
    await expect(page.locator('.flash').innerText()).resolves.toBe(`Release ${BRAKE_HW} 5.0.0 created.`);
    const [created] = await releasesOf(BRAKE_HW);
    expect(created).toMatchObject({ version: '5.0.0', supplier: LONG_SUPPLIER, state: 'available' });
    const id = created?.id ?? 0;
    expect(new URL(page.url()).pathname).toBe(`/ui/releases/${id}`);
    // The long supplier name wraps inside the page instead of widening it.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    // Upload: progress bar, the browser's sha256, the server's confirmation; a bad file name is refused.
    const image = Buffer.alloc(300_000, 0x5a);
    const imageSha = createHash('sha256').update(image).digest('hex');
    await page.getByLabel('Image files').setInputFiles([
      { name: 'brake-5.0.0.bin', mimeType: 'application/octet-stream', buffer: image },
      { name: 'brake 5.0.0 copy.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('x') },
    ]);
    await page.getByRole('button', { name: 'Upload' }).click();
    const good = page.locator('li[data-file="brake-5.0.0.bin"]');
    const bad = page.locator('li[data-file="brake 5.0.0 copy.bin"]');
    await expect.poll(() => bad.locator('[data-status]').innerText()).toMatch(/^Not stored: Image file name: /);
    await expect(good.locator('[data-sha256]').innerText()).resolves.toBe(`sha256 (computed here): ${imageSha}`);
    await expect(good.locator('[data-status]').innerText()).resolves.toBe(
      'Stored, 300000 bytes; the server computed the same sha256.',
    );
    await expect(good.getByRole('progressbar').getAttribute('value')).resolves.toBe('100');
    await expect.poll(() => page.locator('#release-images').innerText()).toContain(imageSha);
    const images = await dashboard.backend.db
      .selectFrom('release_images')
      .selectAll()
      .where('release_id', '=', id)
      .execute();
    expect(images.map((i) => [i.file_name, i.sha256, Number(i.length), i.hardware_ids])).toEqual([
      ['brake-5.0.0.bin', imageSha, 300_000, [BRAKE_HW]],
    ]);
    expect((await new BlobStore(dashboard.backend.blobDir).get(imageSha))?.equals(image)).toBe(true);

    // Supplier test, then approval: without evidence it is refused and the reason typed stays.
    await group(page, 'Move to in test').getByLabel('Reason').fill('bench test started');
    await page.getByRole('button', { name: 'Start supplier test' }).click();
    await expect(page.locator('#release-state').innerText()).resolves.toBe('in test');
    const approve = group(page, 'Move to approved');
    await approve.getByLabel('Reason').fill('all bench tests passed');
    await page.getByRole('button', { name: 'Approve (tests passed)' }).click();
    await expect(approve.getByRole('alert').innerText()).resolves.toContain(
      'Test evidence: test evidence is required to become approved',
    );
    await expect(approve.getByLabel('Reason').inputValue()).resolves.toBe('all bench tests passed');
    await approve.getByLabel('Test report reference').fill('TR-2026-88');
    await approve.getByLabel('Test log sha256').fill('not-a-hash');
    await page.getByRole('button', { name: 'Approve (tests passed)' }).click();
    await expect(approve.getByRole('alert').innerText()).resolves.toContain('Test log sha256: a lowercase hex sha256');
    await expect(approve.getByLabel('Test report reference').inputValue()).resolves.toBe('TR-2026-88');
    // The log file is hashed in the browser into the field.
    await approve.getByLabel(/Test log file/).setInputFiles({
      name: 'hil.log',
      mimeType: 'text/plain',
      buffer: Buffer.from('hil log'),
    });
    await expect.poll(() => approve.getByLabel('Test log sha256').inputValue()).toBe(LOG_SHA);
    await page.getByRole('button', { name: 'Approve (tests passed)' }).click();
    await expect(page.locator('#release-state').innerText()).resolves.toBe('approved');
    await group(page, 'Move to released').getByLabel('Reason').fill('shipped to the OEM');
    await page.getByRole('button', { name: 'Release to the OEM' }).click();
    await group(page, 'Move to in internal test').getByLabel('Reason').fill('HIL rig 3');
    await page.getByRole('button', { name: 'Start internal test' }).click();
    await expect(page.locator('#release-state').innerText()).resolves.toBe('in internal test');
    // The engineer is not offered the approver's decision.
    await expect(page.locator('form#authorize').count()).resolves.toBe(0);

    // ASIL hardware: the safety impact analysis, required, then recorded.
    const sia = page.locator('form#sia');
    await sia.getByLabel('Reason for the change').fill('safety review 12');
    await sia.getByRole('button', { name: 'Record the analysis' }).click();
    await expect(sia.getByRole('alert').innerText()).resolves.toContain('Safety impact analysis: required');
    await expect(sia.getByLabel('Reason for the change').inputValue()).resolves.toBe('safety review 12');
    await sia.getByLabel('Safety impact analysis').fill('SIA-91: brake pressure limits unchanged');
    await sia.getByRole('button', { name: 'Record the analysis' }).click();

    const history = await page.getByRole('region', { name: 'History' }).innerText();
    expect(history).toContain('Reason: bench test started');
    expect(history).toContain('in test → approved');
    const after = (await releasesOf(BRAKE_HW))[0];
    expect(after).toMatchObject({
      state: 'in_internal_test',
      safety_impact_analysis: 'SIA-91: brake pressure limits unchanged',
    });
    const evidence = await dashboard.backend.db
      .selectFrom('release_evidence')
      .selectAll()
      .where('release_id', '=', id)
      .execute();
    expect(evidence.map((e) => [e.stage, e.report_ref, e.log_sha256])).toEqual([['approved', 'TR-2026-88', LOG_SHA]]);
    const audit = await dashboard.backend.db
      .selectFrom('audit_log')
      .select(['action', 'reason'])
      .where('entity_type', '=', 'release')
      .where('entity_id', '=', String(id))
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => `${a.action}: ${a.reason ?? ''}`)).toEqual([
      'release.create: ',
      'release.image: ',
      'release.in_test: bench test started',
      'release.approved: all bench tests passed',
      'release.released: shipped to the OEM',
      'release.in_internal_test: HIL rig 3',
      'release.safety_impact_analysis: safety review 12',
    ]);
    await context.close();
  }, 120_000);

  it('lets the approver authorise with evidence, or refuse with a reason', async () => {
    const brake = (await releasesOf(BRAKE_HW))[0]?.id ?? 0;
    const { context, page } = await dashboard.signedIn(approver.token, `/ui/releases/${brake}`);
    page.setDefaultTimeout(10_000);
    // The approver is offered the decision, not the engineer's lifecycle steps.
    await expect(page.getByRole('button', { name: 'Start internal test' }).count()).resolves.toBe(0);
    const form = page.locator('form#authorize');
    await expect(form.getByLabel('Safety impact analysis').inputValue()).resolves.toBe(
      'SIA-91: brake pressure limits unchanged',
    );
    await form.getByLabel('Reason').fill('HIL passed, SIA reviewed');
    await form.getByRole('button', { name: 'Record the decision' }).click();
    await expect(form.getByRole('alert').innerText()).resolves.toContain('Decision: choose one of');
    await form.getByLabel('Authorise').check();
    await form.getByRole('button', { name: 'Record the decision' }).click();
    await expect(form.getByRole('alert').innerText()).resolves.toContain('Test evidence: test evidence is required');
    await expect(form.getByLabel('Reason').inputValue()).resolves.toBe('HIL passed, SIA reviewed');
    await expect(form.getByLabel('Authorise').isChecked()).resolves.toBe(true);
    await form.getByLabel('Test report reference').fill('HIL-2026-3');
    await form.getByLabel('Test log sha256').fill(LOG_SHA);
    await form.getByRole('button', { name: 'Record the decision' }).click();
    await expect(page.locator('#release-state').innerText()).resolves.toBe('authorized');
    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // The README's picture is refreshed on request only, so a test run leaves the tree clean.
    if (process.env.UPDATE_DOCS === '1') await copyFile(SCREENSHOT, 'docs/dashboard-release.png');

    const radio = await seedReleaseInInternalTest(
      dashboard.backend.db,
      dashboard.backend.blobDir,
      engineer,
      'TCU-HW-2',
      '2.1.0',
    );
    await page.goto(`${dashboard.backend.baseUrl}/ui/releases/${radio}`);
    await expect(page.locator('form#authorize').getByLabel('Safety impact analysis').count()).resolves.toBe(0);
    await page.getByLabel('Refuse').check();
    await page.locator('form#authorize').getByLabel('Reason').fill('modem drops the CAN bus under load');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await expect(page.locator('#release-state').innerText()).resolves.toBe('not authorized');

    const rows = await dashboard.backend.db
      .selectFrom('audit_log')
      .select(['entity_id', 'action', 'reason'])
      .where('entity_type', '=', 'release')
      .where('action', 'in', ['release.authorized', 'release.not_authorized'])
      .where('entity_id', 'in', [String(brake), String(radio)])
      .orderBy('seq')
      .execute();
    expect(rows).toEqual([
      { entity_id: String(brake), action: 'release.authorized', reason: 'HIL passed, SIA reviewed' },
      { entity_id: String(radio), action: 'release.not_authorized', reason: 'modem drops the CAN bus under load' },
    ]);
    const evidence = await dashboard.backend.db
      .selectFrom('release_evidence')
      .select(['stage', 'report_ref'])
      .where('release_id', '=', brake)
      .orderBy('id')
      .execute();
    expect(evidence).toEqual([
      { stage: 'approved', report_ref: 'TR-2026-88' },
      { stage: 'authorized', report_ref: 'HIL-2026-3' },
    ]);
    await context.close();
  }, 120_000);
});
