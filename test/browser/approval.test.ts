import { beforeAll, describe, expect, it } from 'vitest';
import { transitionCampaign } from '../../backend/campaigns/service.ts';
import { seedFixedVulnerability, seedFleet, seedSubmittedCampaign, seedUser } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

describe('the approver decides on a campaign with a comment, in chromium', () => {
  const dashboard = useDashboard();
  let approver: SeededUser;
  let manager: SeededUser;
  let campaignId: number;

  beforeAll(async () => {
    const db = dashboard.backend.db;
    approver = await seedUser(db, 'ada', ['approver']);
    manager = await seedUser(db, 'carl', ['campaign_manager']);
    const security = await seedUser(db, 'sam', ['security_engineer']);
    const engineer = await seedUser(db, 'rita', ['release_engineer']);
    await seedFleet(db, 3);
    const { releaseId } = await seedFixedVulnerability(db, dashboard.backend.blobDir, security, engineer, approver);
    campaignId = (await seedSubmittedCampaign(db, manager, releaseId, 'BCM 4.2.0 pilot')).id;
  });

  const stateOf = async () =>
    (
      await dashboard.backend.db
        .selectFrom('campaigns')
        .select('state')
        .where('id', '=', campaignId)
        .executeTakeFirstOrThrow()
    ).state;
  const decisions = () =>
    dashboard.backend.db
      .selectFrom('audit_log')
      .select(['action', 'reason', 'actor'])
      .where('entity_type', '=', 'campaign')
      .where('entity_id', '=', String(campaignId))
      .where('action', 'in', ['campaign.approve', 'campaign.reject'])
      .orderBy('seq')
      .execute();

  it('refuses a decision without a comment, and records the comment typed as the reason', async () => {
    const { context, page } = await dashboard.signedIn(approver.token, `/ui/campaigns/${campaignId}`);
    page.setDefaultTimeout(10_000);
    await page.getByRole('button', { name: 'Reject' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe(
      'Comment: required; it is recorded as the reason for your decision.',
    );
    expect(await stateOf()).toBe('pending_approval');
    expect(await decisions()).toEqual([]);

    await page.getByLabel('Comment').fill('Wave 1 is too large for a first pilot; start with 0.5 %.');
    await page.getByRole('button', { name: 'Reject' }).click();
    await expect(page.locator('#campaign-state').innerText()).resolves.toBe('draft');
    expect(await stateOf()).toBe('draft');

    await transitionCampaign(dashboard.backend.db, manager.actor, campaignId, {
      action: 'submit',
      reason: 'smaller wave 1',
    });
    await page.reload();
    await page.getByLabel('Comment').fill('Reviewed targets and waves; go.');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.locator('#campaign-state').innerText()).resolves.toBe('approved');
    expect(await stateOf()).toBe('approved');
    expect(await decisions()).toEqual([
      {
        action: 'campaign.reject',
        reason: 'Wave 1 is too large for a first pilot; start with 0.5 %.',
        actor: `user:${approver.id}:ada`,
      },
      { action: 'campaign.approve', reason: 'Reviewed targets and waves; go.', actor: `user:${approver.id}:ada` },
    ]);
    await context.close();
  }, 60_000);
});
