import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../backend/blobs/store.ts';
import { applyVehicleReports } from '../../../backend/campaigns/vehicle-state.ts';
import { campaignProgress, dispatchableVehicles } from '../../../backend/campaigns/waves.ts';
import { authorizedRelease, seedFleet } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

// Deleting drafts and retrying failed vehicles over the API: the roles, the states that allow it,
// and what the database holds afterwards.

let h: Harness;
let manager: { id: number; token: string };
let approver: { id: number; token: string };
let release: number;

async function draft(): Promise<number> {
  const res = await h.call('POST', '/api/campaigns', manager.token, {
    name: 'retry and delete',
    kind: 'bug_fix',
    releaseIds: [release],
    targetFilter: {},
    installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
    waves: [{ cumulativePercent: 100, successThreshold: 0.9, errorThreshold: 0.9, soakMinutes: 0 }],
    pacingPerMinute: 100,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

const act = (id: number, action: string, token: string) =>
  h.call('POST', `/api/campaigns/${id}/${action}`, token, { reason: `${action} it` });

beforeAll(async () => {
  h = await createHarness();
  manager = await h.user(['campaign_manager']);
  approver = await h.user(['approver']);
  const engineer = await h.user(['release_engineer']);
  await seedFleet(h.db, { count: 6, modelId: 'compact', hardwareId: 'HW-R', version: '1.0.0', prefix: 'WVWRETRY' });
  release = await authorizedRelease(
    h.db,
    new BlobStore(h.blobDir),
    { userId: engineer.id, name: 'eng' },
    { userId: approver.id, name: 'appr' },
    'HW-R',
    '1.1.0',
  );
});
afterAll(() => h.destroy());

describe('deleting a draft campaign', () => {
  it('deletes a draft with its parts, refuses other roles, other states and a missing reason', async () => {
    const id = await draft();
    expect((await h.call('DELETE', `/api/campaigns/${id}`, approver.token, { reason: 'x' })).status).toBe(403);
    expect((await h.call('DELETE', `/api/campaigns/${id}`, manager.token, { reason: ' ' })).status).toBe(422);
    const gone = await h.call('DELETE', `/api/campaigns/${id}`, manager.token, { reason: 'typo in the name' });
    expect(gone.status, JSON.stringify(gone.body)).toBe(204);
    expect((await h.call('GET', `/api/campaigns/${id}`, manager.token)).status).toBe(404);
    for (const table of ['campaign_releases', 'campaign_waves', 'campaign_vehicles'] as const) {
      expect(await h.db.selectFrom(table).select('campaign_id').where('campaign_id', '=', id).execute()).toEqual([]);
    }
    const audit = await h.call('GET', `/api/audit?entityType=campaign&entityId=${id}&limit=50`, h.adminToken);
    expect(audit.body.items.at(-1)).toMatchObject({ action: 'campaign.delete', reason: 'typo in the name' });

    const submitted = await draft();
    expect((await act(submitted, 'submit', manager.token)).status).toBe(200);
    const refused = await h.call('DELETE', `/api/campaigns/${submitted}`, manager.token, { reason: 'no' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(`campaign ${submitted} is pending approval; only a draft can be deleted`);
    expect((await h.call('GET', `/api/campaigns/${submitted}`, manager.token)).body.state).toBe('pending_approval');
    expect((await act(submitted, 'cancel', manager.token)).status).toBe(200);
  });
});

describe('retrying failed vehicles', () => {
  it('sends failed and rolled-back vehicles back to pending with their ECU outcomes cleared', async () => {
    const id = await draft();
    expect((await h.call('POST', `/api/campaigns/${id}/retry-failed`, manager.token, { reason: 'x' })).status).toBe(
      409,
    );
    for (const [action, token] of [
      ['submit', manager.token],
      ['approve', approver.token],
      ['start', manager.token],
    ] as const)
      expect((await act(id, action, token)).status).toBe(200);
    const vins = await dispatchableVehicles(h.db, id, 10);
    expect(vins).toHaveLength(6);
    const none = await h.call('POST', `/api/campaigns/${id}/retry-failed`, manager.token, { reason: 'x' });
    expect(none.status).toBe(409);
    expect(none.body.detail).toBe(`campaign ${id} has no failed vehicle to retry`);
    const fail = (vin: string, state: 'failed' | 'rolled_back' | 'rollback_failed') => [
      { vin, state: 'offered' as const },
      {
        vin,
        state,
        error: 'flash failed',
        ecus: [{ serial: `S${Number(vin.slice(-9))}`, result: 'failed' as const, nrc: '0x72' }],
      },
    ];
    await applyVehicleReports(h.db, id, [
      ...fail(vins[0]!, 'failed'),
      ...fail(vins[1]!, 'rolled_back'),
      ...fail(vins[2]!, 'rollback_failed'),
      { vin: vins[3]!, state: 'offered' as const },
      { vin: vins[3]!, state: 'succeeded' as const },
    ]);
    expect((await h.call('POST', `/api/campaigns/${id}/retry-failed`, approver.token, { reason: 'x' })).status).toBe(
      403,
    );
    const recorded = () =>
      h.db
        .selectFrom('campaign_ecus')
        .select(['result', 'nrc'])
        .where('campaign_id', '=', id)
        .where('vin', 'in', vins.slice(0, 3))
        .orderBy('vin')
        .execute();
    expect((await recorded()).map((e) => [e.result, e.nrc])).toEqual(Array(3).fill(['failed', '0x72']));
    const res = await h.call('POST', `/api/campaigns/${id}/retry-failed`, manager.token, { reason: 'new BCM key' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ retriedVehicles: 2 });
    expect((await campaignProgress(h.db, id)).byState).toEqual({ pending: 4, rollback_failed: 1, succeeded: 1 });
    expect((await recorded()).map((e) => [e.result, e.nrc])).toEqual([
      [null, null],
      [null, null],
      ['failed', '0x72'],
    ]);
    const audit = await h.call('GET', `/api/audit?entityType=campaign&entityId=${id}&limit=50`, h.adminToken);
    expect(audit.body.items.at(-1)).toMatchObject({ action: 'campaign.retry_failed', reason: 'new BCM key' });
    // A retried vehicle's next offer is its second attempt (the gateway takes it); the others keep their first.
    const attempts = await h.db
      .selectFrom('campaign_vehicles')
      .select(['vin', 'attempt'])
      .where('campaign_id', '=', id)
      .where('vin', 'in', vins.slice(0, 4))
      .orderBy('vin')
      .execute();
    expect(attempts.map((a) => a.attempt)).toEqual([2, 2, 1, 1]);
    // The retried vehicles are offered again like any pending vehicle.
    expect(await dispatchableVehicles(h.db, id, 10)).toEqual(expect.arrayContaining([vins[0], vins[1]]));
  });
});
