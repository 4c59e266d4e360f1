import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../backend/blobs/store.ts';
import { applyVehicleReports } from '../../../backend/campaigns/vehicle-state.ts';
import { campaignProgress, dispatchableVehicles, evaluateCampaign } from '../../../backend/campaigns/waves.ts';
import { countTargets } from '../../../backend/dashboard/queries.ts';
import { authorizedRelease, seedFleet, vinFor } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
let manager: { id: number; token: string };
let manager2: { id: number; token: string };
let approver: { id: number; token: string };
let bmsRelease: number;
let draftRelease: number;

const fastWaves = [
  { cumulativePercent: 10, successThreshold: 0.9, errorThreshold: 0.2, soakMinutes: 30 },
  { cumulativePercent: 100, successThreshold: 0.9, errorThreshold: 0.2, soakMinutes: 0 },
];

function campaignBody(over: Record<string, unknown> = {}) {
  return {
    name: 'BMS 1.1.0 security patch',
    kind: 'security_patch',
    releaseIds: [bmsRelease],
    targetFilter: { modelIds: ['compact'] },
    installPolicy: {
      windows: [{ from: '01:00', to: '05:00' }],
      preconditions: ['parked'],
      driverConsentRequired: true,
    },
    waves: fastWaves,
    pacingPerMinute: 100,
    ...over,
  };
}

async function act(id: number, action: string, token: string, reason = `${action} it`) {
  return h.call('POST', `/api/campaigns/${id}/${action}`, token, { reason });
}

async function createCampaign(over: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/api/campaigns', manager.token, campaignBody(over));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

async function runningCampaign(over: Record<string, unknown> = {}) {
  const id = await createCampaign(over);
  expect((await act(id, 'submit', manager.token)).status).toBe(200);
  expect((await act(id, 'approve', approver.token)).status).toBe(200);
  expect((await act(id, 'start', manager.token)).status).toBe(200);
  return id;
}

beforeAll(async () => {
  h = await createHarness();
  manager = await h.user(['campaign_manager']);
  manager2 = await h.user(['campaign_manager']);
  approver = await h.user(['approver']);
  const engineer = await h.user(['release_engineer']);
  const blobs = new BlobStore(h.blobDir);
  const eng = { userId: engineer.id, name: 'eng' };
  const appr = { userId: approver.id, name: 'appr' };
  // 200 compact (EU, 2024, BMS 1.0.0), 20 compact on BMS 1.1.0 already, 30 suv (US, 2022), 10 compact 2019 tagged
  await seedFleet(h.db, { count: 200, modelId: 'compact', hardwareId: 'HW-BMS-1', version: '1.0.0' });
  await seedFleet(h.db, {
    count: 20,
    modelId: 'compact',
    hardwareId: 'HW-BMS-1',
    version: '1.1.0',
    prefix: 'WVWZZZ2K',
  });
  await seedFleet(h.db, {
    count: 30,
    modelId: 'suv',
    hardwareId: 'HW-BMS-1',
    version: '0.9.0',
    region: 'US',
    modelYear: 2022,
    prefix: 'WVWZZZ3K',
  });
  await seedFleet(h.db, {
    count: 10,
    modelId: 'compact',
    hardwareId: 'HW-BMS-1',
    version: '1.0.0',
    modelYear: 2019,
    tags: ['pilot'],
    prefix: 'WVWZZZ4K',
  });
  bmsRelease = await authorizedRelease(h.db, blobs, eng, appr, 'HW-BMS-1', '1.1.0');
  const r = await h.call('POST', '/api/releases', engineer.token, {
    hardwareId: 'HW-BMS-1',
    version: '9.9.9',
    supplier: 'Acme',
  });
  draftRelease = r.body.id as number;
});
afterAll(() => h.destroy());

describe('campaign lifecycle', () => {
  it('refuses releases that are not authorized and bad wave plans', async () => {
    const res = await h.call('POST', '/api/campaigns', manager.token, campaignBody({ releaseIds: [draftRelease] }));
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/only authorized or effective/);
    const waves = await h.call(
      'POST',
      '/api/campaigns',
      manager.token,
      campaignBody({
        waves: [{ cumulativePercent: 50, successThreshold: 0.9, errorThreshold: 0.1, soakMinutes: 0 }],
      }),
    );
    expect(waves.status).toBe(422);
    expect(waves.body.errors[0].field).toBe('json.waves.0.cumulativePercent');
    const window = await h.call(
      'POST',
      '/api/campaigns',
      manager.token,
      campaignBody({
        installPolicy: { windows: [{ from: '25:00', to: '05:00' }], preconditions: [], driverConsentRequired: false },
      }),
    );
    expect(window.body.errors[0].field).toBe('json.installPolicy.windows.0.from');
  });

  it('walks draft -> pending_approval -> approved -> running <-> paused -> completed with four-eyes', async () => {
    const id = await createCampaign();
    expect((await act(id, 'approve', approver.token)).status).toBe(409);
    const submitted = await act(id, 'submit', manager.token);
    expect(submitted.body).toMatchObject({ state: 'pending_approval', targetedVehicles: 210 });

    // The creator cannot approve even when holding the approver role.
    const both = await h.user(['campaign_manager', 'approver']);
    const own = await h.call('POST', '/api/campaigns', both.token, campaignBody());
    await act(own.body.id, 'submit', both.token);
    const self = await act(own.body.id, 'approve', both.token);
    expect(self.status).toBe(403);
    expect(self.body.title).toBe('Four-eyes rule');
    expect((await act(id, 'approve', manager2.token)).status).toBe(403); // lacks the approver role

    const approved = await act(id, 'approve', approver.token);
    expect(approved.body).toMatchObject({ state: 'approved', approvedBy: approver.id });
    expect((await act(id, 'resume', manager.token)).status).toBe(409);
    const running = await act(id, 'start', manager.token);
    expect(running.body).toMatchObject({ state: 'running', currentWave: 1 });
    expect((await act(id, 'pause', manager.token)).body.state).toBe('paused');
    expect((await act(id, 'complete', manager.token)).status).toBe(409);
    expect((await act(id, 'resume', manager.token)).body.state).toBe('running');
    const done = await act(id, 'complete', manager.token, 'enough');
    expect(done.body.state).toBe('completed');
    const cancel = await act(id, 'cancel', manager.token);
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ from: 'completed', to: 'cancelled' });

    const audit = await h.call('GET', `/api/audit?entityType=campaign&entityId=${id}&limit=50`, h.adminToken);
    const trail = audit.body.items.map((e: { action: string; actor: string; reason: string | null }) => [
      e.action,
      e.reason,
    ]);
    expect(trail).toEqual([
      ['campaign.create', null],
      ['campaign.submit', 'submit it'],
      ['campaign.approve', 'approve it'],
      ['campaign.start', 'start it'],
      ['campaign.pause', 'pause it'],
      ['campaign.resume', 'resume it'],
      ['campaign.complete', 'enough'],
    ]);
    expect(audit.body.items[2].actor).toMatch(new RegExp(`^user:${approver.id}:`));
  });

  it('rejecting returns to draft and clears targets; cancel works from draft', async () => {
    const id = await createCampaign();
    await act(id, 'submit', manager.token);
    const rejected = await act(id, 'reject', approver.token, 'wrong window');
    expect(rejected.body).toMatchObject({ state: 'draft', targetedVehicles: 0 });
    expect((await act(id, 'cancel', manager.token)).body.state).toBe('cancelled');
    expect((await act(id, 'submit', manager.token)).status).toBe(409);
  });
});

describe('target resolution and waves', () => {
  async function targets(filter: Record<string, unknown>) {
    const id = await createCampaign({ targetFilter: filter });
    const res = await act(id, 'submit', manager.token);
    return { id, res };
  }

  it.each([
    [{ modelIds: ['compact'] }, 210],
    [{ modelIds: ['compact'], modelYears: { to: 2020 } }, 10],
    [{ regions: ['US'] }, 30],
    [{ tags: ['pilot'] }, 10],
    [{ currentVersions: ['0.9.0'] }, 30],
    [{ hardwareIds: ['HW-BMS-1'] }, 240],
    [{ vins: [vinFor(1), vinFor(2), vinFor(1, 'WVWZZZ2K')] }, 2],
  ])('filter %j targets %d vehicles (up-to-date ones excluded)', async (filter, expected) => {
    const { res } = await targets(filter);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.targetedVehicles).toBe(expected);
    // The dashboard's live count uses the same condition.
    expect(await countTargets(h.db, filter, [bmsRelease])).toBe(expected);
  });

  it('refuses a filter that matches nothing, and treats injection-shaped values as data', async () => {
    const res = await h.call(
      'POST',
      '/api/campaigns',
      manager.token,
      campaignBody({ targetFilter: { regions: ["EU' OR '1'='1"] } }),
    );
    expect(res.status).toBe(422); // the region label pattern refuses quotes
    expect(res.body.errors[0].field).toBe('json.targetFilter.regions.0');
    const { res: vinList } = await targets({
      vins: [vinFor(7)],
      tags: ["pilot'); DELETE FROM vehicles; --".replace(/[^\w.:+-]/g, '_')],
    });
    expect(vinList.status).toBe(409);
    expect(
      (
        await h.db
          .selectFrom('vehicles')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ).toBe(260);
    const none = await targets({ regions: ['APAC'] });
    expect(none.res.status).toBe(409);
    expect(none.res.body.detail).toMatch(/targets no vehicle/);
    expect((await h.call('GET', `/api/campaigns/${none.id}`, manager.token)).body.state).toBe('draft');
  });

  it('never targets isolated or end-of-life vehicles, nor models past end of support', async () => {
    const sec = await h.user(['security_engineer']);
    await h.call('POST', `/api/vehicles/${vinFor(3)}/lifecycle`, sec.token, { to: 'isolated', reason: 'compromised' });
    await h.call('POST', `/api/vehicles/${vinFor(4)}/lifecycle`, sec.token, { to: 'end_of_life', reason: 'scrapped' });
    expect((await targets({ modelIds: ['compact'] })).res.body.targetedVehicles).toBe(208);
    await sql`UPDATE vehicle_models SET end_of_support = current_date - 1 WHERE id = 'suv'`.execute(h.db);
    expect((await targets({ regions: ['US'] })).res.status).toBe(409);
    await sql`UPDATE vehicle_models SET end_of_support = NULL WHERE id = 'suv'`.execute(h.db);
    await sql`UPDATE vehicles SET lifecycle = 'active' WHERE vin IN (${vinFor(3)}, ${vinFor(4)})`.execute(h.db);
  });

  it('assigns cumulative waves deterministically in SQL and records per-ECU plans', async () => {
    const id = await createCampaign({
      targetFilter: { modelIds: ['compact'], modelYears: { from: 2024 } },
      waves: [1, 10, 50, 100].map((p) => ({
        cumulativePercent: p,
        successThreshold: 0.9,
        errorThreshold: 0.1,
        soakMinutes: 0,
      })),
    });
    await act(id, 'submit', manager.token);
    const progress = await campaignProgress(h.db, id);
    expect(progress.total).toBe(200);
    expect(progress.waves.map((w) => w.total)).toEqual([2, 18, 80, 100]);
    const assignment = await h.db
      .selectFrom('campaign_vehicles')
      .select(['vin', 'wave_no'])
      .where('campaign_id', '=', id)
      .orderBy('vin')
      .execute();
    await act(id, 'reject', approver.token, 'again');
    await act(id, 'submit', manager.token);
    const again = await h.db
      .selectFrom('campaign_vehicles')
      .select(['vin', 'wave_no'])
      .where('campaign_id', '=', id)
      .orderBy('vin')
      .execute();
    expect(again).toEqual(assignment);
    // Waves are not VIN ranges: wave 1 is not simply the lowest VINs.
    const wave1 = assignment.filter((a) => a.wave_no === 1).map((a) => a.vin);
    expect(wave1).not.toEqual([vinFor(1), vinFor(2)]);
    const ecus = await h.db.selectFrom('campaign_ecus').selectAll().where('campaign_id', '=', id).execute();
    expect(ecus).toHaveLength(200);
    expect(ecus[0]).toMatchObject({ from_version: '1.0.0', to_version: '1.1.0', release_id: bmsRelease, result: null });
  });
});

describe('vehicle states and wave rules', () => {
  it('applies reports idempotently, in batches, and refuses illegal moves', async () => {
    const id = await runningCampaign({ targetFilter: { tags: ['pilot'] } });
    const vins = await dispatchableVehicles(h.db, id, 100);
    expect(vins).toHaveLength(1); // wave 1 = 10 % of 10
    const [vin] = vins as [string];
    const batch = [
      { vin, state: 'offered' as const },
      { vin, state: 'downloading' as const },
      { vin, state: 'downloaded' as const },
    ];
    expect(await applyVehicleReports(h.db, id, batch)).toEqual({ applied: 3, ignored: 0, rejected: [] });
    expect(await applyVehicleReports(h.db, id, batch)).toEqual({ applied: 0, ignored: 3, rejected: [] });
    const illegal = await applyVehicleReports(h.db, id, [{ vin, state: 'incompatible' }]);
    expect(illegal.rejected).toEqual([
      { vin, state: 'incompatible', current: 'downloaded', reason: 'illegal move downloaded -> incompatible' },
    ]);
    const stranger = await applyVehicleReports(h.db, id, [{ vin: vinFor(150), state: 'offered' }]);
    expect(stranger.rejected[0]?.reason).toMatch(/not a target/);
    const done = await applyVehicleReports(h.db, id, [
      { vin, state: 'installing' },
      {
        vin,
        state: 'succeeded',
        ecus: [{ serial: `S${Number(vin.slice(-9))}`, result: 'succeeded', bytesOnBus: 524288, durationMs: 41000 }],
      },
    ]);
    expect(done.applied).toBe(2);
    const ecu = await h.db.selectFrom('ecus').selectAll().where('vin', '=', vin).executeTakeFirstOrThrow();
    expect(ecu.installed_version).toBe('1.1.0');
    expect(ecu.image_sha256).toMatch(/^[0-9a-f]{64}$/);
    const record = await h.db
      .selectFrom('campaign_ecus')
      .selectAll()
      .where('campaign_id', '=', id)
      .where('vin', '=', vin)
      .executeTakeFirstOrThrow();
    expect(record).toMatchObject({ result: 'succeeded', bytes_on_bus: '524288', duration_ms: 41000 });
    const history = await h.db
      .selectFrom('ecu_version_history')
      .selectAll()
      .where('vin', '=', vin)
      .where('source', '=', `campaign:${id}`)
      .execute();
    expect(history).toHaveLength(1);
    const events = await h.db
      .selectFrom('campaign_vehicle_events')
      .select(['from_state', 'to_state'])
      .where('campaign_id', '=', id)
      .where('vin', '=', vin)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.to_state)).toEqual(['offered', 'downloading', 'downloaded', 'installing', 'succeeded']);
    // Restore the inventory for later tests.
    await sql`UPDATE ecus SET installed_version = '1.0.0' WHERE vin = ${vin}`.execute(h.db);
  });

  it('advances to the next wave after success and soak, then completes', async () => {
    const id = await runningCampaign({ targetFilter: { regions: ['US'] } }); // 30 vehicles: 3 + 27
    const t0 = new Date();
    const wave1 = await dispatchableVehicles(h.db, id, 100);
    expect(wave1).toHaveLength(3);
    await applyVehicleReports(
      h.db,
      id,
      wave1.flatMap((vin) => (['offered', 'installing', 'succeeded'] as const).map((state) => ({ vin, state }))),
    );
    expect(await evaluateCampaign(h.db, id, t0)).toEqual({ action: 'success_reached', waveNo: 1 });
    expect((await evaluateCampaign(h.db, id, new Date(t0.getTime() + 10 * 60_000))).action).toBe('none');
    expect(await evaluateCampaign(h.db, id, new Date(t0.getTime() + 31 * 60_000))).toEqual({
      action: 'advanced',
      fromWave: 1,
      toWave: 2,
    });
    const wave2 = await dispatchableVehicles(h.db, id, 100);
    expect(wave2).toHaveLength(27);
    await applyVehicleReports(
      h.db,
      id,
      wave2.flatMap((vin) => (['offered', 'installing', 'succeeded'] as const).map((state) => ({ vin, state }))),
    );
    expect(await evaluateCampaign(h.db, id, new Date(t0.getTime() + 40 * 60_000))).toEqual({ action: 'completed' });
    const progress = await h.call('GET', `/api/campaigns/${id}/progress`, manager.token);
    expect(progress.body).toMatchObject({ state: 'completed', total: 30, byState: { succeeded: 30 } });
    expect(progress.body.waves.map((w: { successRate: number }) => w.successRate)).toEqual([1, 1]);
    await sql`UPDATE ecus SET installed_version = '0.9.0' WHERE vin LIKE 'WVWZZZ3K%'`.execute(h.db);
  });

  it('pauses automatically when a wave fails above its error threshold', async () => {
    const id = await runningCampaign({
      targetFilter: { regions: ['US'] },
      waves: [{ cumulativePercent: 100, successThreshold: 0.9, errorThreshold: 0.1, soakMinutes: 0 }],
    });
    const vins = await dispatchableVehicles(h.db, id, 100);
    const failing = vins.slice(0, 4).flatMap((vin) => [
      { vin, state: 'offered' as const },
      { vin, state: 'installing' as const },
      {
        vin,
        state: 'rolled_back' as const,
        error: 'ECU 2 failed',
        ecus: [{ serial: 'S1', result: 'failed' as const, nrc: '0x72' }],
      },
    ]);
    await applyVehicleReports(h.db, id, failing);
    const decision = await evaluateCampaign(h.db, id);
    expect(decision).toMatchObject({ action: 'paused', waveNo: 1 });
    expect((await h.call('GET', `/api/campaigns/${id}`, manager.token)).body.state).toBe('paused');
    expect(await dispatchableVehicles(h.db, id, 100)).toEqual([]);
    const audit = await h.call('GET', `/api/audit?entityType=campaign&entityId=${id}&limit=50`, h.adminToken);
    expect(audit.body.items.at(-1)).toMatchObject({ action: 'campaign.auto_pause', actor: 'system' });
    // Cancelling cancels the vehicles still waiting; in-flight ones may still report.
    const cancelled = await act(id, 'cancel', manager.token, 'too many rollbacks');
    expect(cancelled.body.state).toBe('cancelled');
    const progress = await campaignProgress(h.db, id);
    expect(progress.byState).toEqual({ rolled_back: 4, cancelled: 26 });
  });

  it('expires the waiting vehicles once the deadline has passed (not at it), then completes', async () => {
    const deadline = new Date(Date.now() + 24 * 3600_000);
    const id = await runningCampaign({
      targetFilter: { regions: ['US'] },
      deadlineAt: deadline.toISOString(),
      waves: [{ cumulativePercent: 100, successThreshold: 0.9, errorThreshold: 0.1, soakMinutes: 0 }],
    });
    const waiting = (await dispatchableVehicles(h.db, id, 1000)).length;
    expect(waiting).toBeGreaterThan(0);
    expect((await evaluateCampaign(h.db, id, deadline)).action).toBe('none');
    const after = new Date(deadline.getTime() + 1);
    expect(await evaluateCampaign(h.db, id, after)).toEqual({ action: 'expired', vehicles: waiting });
    const audit = await h.call('GET', `/api/audit?entityType=campaign&entityId=${id}&limit=50`, h.adminToken);
    expect(audit.body.items.at(-1)).toMatchObject({
      action: 'campaign.vehicles_expired',
      actor: 'system',
      details: { vehicles: waiting, deadline: deadline.toISOString() },
    });
    expect(await evaluateCampaign(h.db, id, after)).toEqual({ action: 'completed' });
    expect((await campaignProgress(h.db, id)).byState).toEqual({ expired: waiting });
  });

  it('cancels pending entries when a vehicle is isolated', async () => {
    const id = await runningCampaign({ targetFilter: { tags: ['pilot'] } });
    const vin = vinFor(5, 'WVWZZZ4K');
    const sec = await h.user(['security_engineer']);
    const res = await h.call('POST', `/api/vehicles/${vin}/lifecycle`, sec.token, { to: 'isolated', reason: 'stolen' });
    expect(res.status).toBe(200);
    const entry = await h.db
      .selectFrom('campaign_vehicles')
      .select('state')
      .where('campaign_id', '=', id)
      .where('vin', '=', vin)
      .executeTakeFirstOrThrow();
    expect(entry.state).toBe('cancelled');
    await sql`UPDATE vehicles SET lifecycle = 'active' WHERE vin = ${vin}`.execute(h.db);
  });

  it('accepts reports over the API with validation', async () => {
    const id = await runningCampaign({ targetFilter: { tags: ['pilot'] } });
    const [vin] = (await dispatchableVehicles(h.db, id, 1)) as [string];
    const ok = await h.call('POST', `/api/campaigns/${id}/vehicle-reports`, h.adminToken, {
      reports: [{ vin, state: 'offered' }],
    });
    expect(ok.body).toEqual({ applied: 1, ignored: 0, rejected: [] });
    const bad = await h.call('POST', `/api/campaigns/${id}/vehicle-reports`, h.adminToken, {
      reports: [{ vin, state: 'exploded' }],
    });
    expect(bad.body.errors[0].field).toBe('json.reports.0.state');
    const badNrc = await h.call('POST', `/api/campaigns/${id}/vehicle-reports`, h.adminToken, {
      reports: [{ vin, state: 'failed', ecus: [{ serial: 'S1', result: 'failed', nrc: "0x72'; --" }] }],
    });
    expect(badNrc.body.errors[0].field).toBe('json.reports.0.ecus.0.nrc');
  });
});

describe('evidence export', () => {
  it('exports JSON with approvals, releases and per-vehicle versions, and CSV per ECU', async () => {
    const id = await runningCampaign({ targetFilter: { vins: [vinFor(10), vinFor(11)] } });
    await applyVehicleReports(
      h.db,
      id,
      [vinFor(10), vinFor(11)].flatMap((vin) => [{ vin, state: 'offered' as const }]),
    );
    await evaluateCampaign(h.db, id, new Date(Date.now() + 3600_000));
    const auditor = await h.user(['auditor']);
    const json = await h.call('GET', `/api/campaigns/${id}/evidence`, auditor.token);
    expect(json.status).toBe(200);
    expect(json.body.campaign).toMatchObject({ id, approvedBy: approver.id, approvedByName: expect.any(String) });
    expect(json.body.releases[0]).toMatchObject({ id: bmsRelease, state: 'authorized' });
    expect(json.body.releases[0].evidence.map((e: { stage: string }) => e.stage)).toEqual(['approved', 'authorized']);
    expect(json.body.releases[0].lifecycle.map((e: { action: string }) => e.action)).toContain('release.authorized');
    expect(json.body.auditTrail.map((e: { action: string }) => e.action)).toEqual([
      'campaign.create',
      'campaign.submit',
      'campaign.approve',
      'campaign.start',
    ]);
    expect(json.body.vehicles).toHaveLength(2);
    // The audit head the export covers, for verify-audit --expect-head; no checkpoint file here.
    const head = await h.db.selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    expect(json.body.auditHead).toEqual({ seq: Number(head.seq), hash: head.hash });
    expect(json.body.auditCheckpoint).toBeNull();
    expect(json.body.vehicles[0]).toMatchObject({
      vin: vinFor(10),
      state: 'offered',
      ecus: [{ fromVersion: '1.0.0', toVersion: '1.1.0' }],
    });
    const csv = await h.call('GET', `/api/campaigns/${id}/evidence?format=csv`, auditor.token);
    const csvHeaders = await h.app.request(`/api/campaigns/${id}/evidence?format=csv`, {
      headers: { authorization: `Bearer ${auditor.token}` },
    });
    expect(csvHeaders.headers.get('x-audit-head')).toBe(`${head.seq}:${head.hash}`);
    await csvHeaders.body?.cancel();
    expect(csv.contentType).toContain('text/csv');
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(
      'vin,wave,vehicle_state,state_changed_at,ecu_serial,hardware_id,from_version,to_version,result,nrc,error,bytes_on_bus,duration_ms,finished_at',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${vinFor(10)},\\d,offered,`));
    expect((await h.call('GET', '/api/campaigns/99999/evidence', auditor.token)).status).toBe(404);
  });
});
