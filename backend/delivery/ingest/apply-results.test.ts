import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyTestDatabase } from '../../../test/integration/delivery/harness.ts';
import { waitFor } from '../../../test/support/wait-for.ts';
import {
  insertAuthorisedRelease,
  insertCampaign,
  insertFleet,
  insertUsers,
  testVin,
} from '../../../test/integration/delivery/fixtures.ts';
import { createTestDatabase } from '../../../test/support/db.ts';
import type { TestDatabase } from '../../../test/support/db.ts';
import { BlobStore } from '../../blobs/store.ts';
import { listedMoves, moveVehicles } from '../../campaigns/vehicle-moves.ts';
import type { Db } from '../../db/database.ts';
import { applyProgress } from './apply-progress.ts';
import { applyResults } from './apply-results.ts';
import type { ResultReport } from './apply-results.ts';

let testDb: TestDatabase;
let db: Db;
let campaignId: number;
let vins: string[];
let blobDir: string;
let planned: { users: { creator: number; approver: number }; releaseId: number; vins: [string, string] };

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  blobDir = await mkdtemp(join(tmpdir(), 'apply-results-'));
  const users = await insertUsers(db);
  const release = await insertAuthorisedRelease(db, new BlobStore(blobDir), {
    hardwareId: 'HW-1',
    version: '2.0.0',
    image: new Uint8Array([1, 2, 3]),
    createdBy: users.creator,
  });
  const fleet = (
    await insertFleet(db, { prefix: 'RES', count: 5, hardwareId: 'HW-1', baseVersion: '1.0.0', baseSha256: () => null })
  ).map((v) => v.vin);
  // The fourth and fifth are for the planned-ECU tests' campaigns of their own.
  vins = fleet.slice(0, 3);
  planned = { users, releaseId: release.releaseId, vins: [fleet[3]!, fleet[4]!] };
  ({ campaignId } = await insertCampaign(db, {
    releaseIds: [release.releaseId],
    vins,
    waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 }],
    users,
  }));
  // The third vehicle stays pending (never offered) until the last test.
  await moveVehicles(
    db,
    listedMoves(vins.slice(0, 2).map((vin) => ({ campaignId, vin, to: 'offered', at: new Date() }))),
  );
});
afterAll(async () => {
  await destroyTestDatabase(testDb);
  await rm(blobDir, { recursive: true, force: true });
});

const ecu = {
  ecuSerial: 'ECU-1',
  fromVersion: '1.0.0',
  toVersion: '2.0.0',
  result: 'succeeded' as const,
  bytesOnBus: 10,
  durationMs: 5,
};
const report = (vin: string, reportId: string, outcome: ResultReport['outcome'] = 'succeeded'): ResultReport => ({
  vin,
  campaignId,
  reportId,
  outcome,
  ecus: [outcome === 'succeeded' ? ecu : { ...ecu, result: outcome, nrc: 0x72 }],
});
const states = async () =>
  Object.fromEntries(
    (
      await db.selectFrom('campaign_vehicles').select(['vin', 'state']).where('campaign_id', '=', campaignId).execute()
    ).map((r) => [r.vin, r.state]),
  );

describe('applyResults and applyProgress', () => {
  it('moves vehicles forward only, applies a result once, and names reports for vehicles outside the campaign', async () => {
    const [a, b, c] = vins as [string, string, string];
    expect(
      await applyProgress(db, [
        { vin: a, campaignId, state: 'installing' },
        { vin: a, campaignId, state: 'downloading' },
      ]),
    ).toBe(1);
    expect(await applyProgress(db, [{ vin: a, campaignId, state: 'downloading' }])).toBe(0);

    const stranger = testVin('ZZZ', 7);
    const first = await applyResults(db, [
      report(a, 'r-1'),
      report(a, 'r-1'),
      report(b, 'r-2', 'failed'),
      report(stranger, 'r-3'),
    ]);
    expect(first).toMatchObject({ applied: 2, duplicates: 1, waves: [{ campaignId, waveNo: 1 }] });
    expect(first.notInCampaign.map((r) => r.vin)).toEqual([stranger]);
    expect(await states()).toEqual({ [a]: 'succeeded', [b]: 'failed', [c]: 'pending' });

    // Redelivered, and a late progress report: nothing changes.
    const events = (await db.selectFrom('campaign_vehicle_events').select('id').execute()).length;
    const again = await applyResults(db, [report(a, 'r-1'), report(b, 'r-2', 'failed')]);
    expect(again).toMatchObject({ applied: 0, duplicates: 2 });
    expect(await applyProgress(db, [{ vin: b, campaignId, state: 'installing' }])).toBe(0);
    expect(await states()).toEqual({ [a]: 'succeeded', [b]: 'failed', [c]: 'pending' });
    expect((await db.selectFrom('campaign_vehicle_events').select('id').execute()).length).toBe(events);

    const ecus = await db
      .selectFrom('campaign_ecus')
      .select(['vin', 'result', 'nrc', 'release_id'])
      .orderBy('vin')
      .execute();
    expect(ecus.map((e) => [e.vin, e.result, e.nrc])).toEqual([
      [a, 'succeeded', null],
      [b, 'failed', '0x72'],
    ]);
  });

  it("moves progress only along the domain's legal moves, while a result closes any state after the offer", async () => {
    const c = vins[2] as string;
    expect(await applyProgress(db, [{ vin: c, campaignId, state: 'downloading' }])).toBe(0);
    expect(await applyResults(db, [report(c, 'r-4')])).toMatchObject({ applied: 0, duplicates: 0 });
    expect((await states())[c]).toBe('pending');

    await moveVehicles(db, listedMoves([{ campaignId, vin: c, to: 'offered', at: new Date() }]));
    expect(await applyResults(db, [report(c, 'r-5')])).toMatchObject({ applied: 1, duplicates: 0 });
    expect((await states())[c]).toBe('succeeded');
    const events = await db
      .selectFrom('campaign_vehicle_events')
      .select(['from_state', 'to_state'])
      .where('vin', '=', c)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { from_state: 'pending', to_state: 'offered' },
      { from_state: 'offered', to_state: 'succeeded' },
    ]);
  });

  /** A campaign of its own for `vin` with its ECU planned as targeting.ts plans it at submit (versions known, no result), offered. */
  async function plannedCampaign(vin: string): Promise<number> {
    const { campaignId: id } = await insertCampaign(db, {
      releaseIds: [planned.releaseId],
      vins: [vin],
      waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 }],
      users: planned.users,
    });
    await db
      .insertInto('campaign_ecus')
      .values({
        campaign_id: id,
        vin,
        ecu_serial: 'ECU-1',
        hardware_id: 'HW-1',
        release_id: planned.releaseId,
        from_version: '1.0.0',
        to_version: '2.0.0',
      })
      .execute();
    await moveVehicles(db, listedMoves([{ campaignId: id, vin, to: 'offered', at: new Date() }]));
    return id;
  }
  const ecuRows = (id: number) =>
    db
      .selectFrom('campaign_ecus')
      .select(['release_id', 'result', 'nrc', 'bytes_on_bus'])
      .where('campaign_id', '=', id)
      .execute();

  it('records the result of an ECU planned at submit on its row, in place (fillfactor room for HOT updates)', async () => {
    const vin = planned.vins[0];
    const id = await plannedCampaign(vin);
    const result: ResultReport = {
      vin,
      campaignId: id,
      reportId: 'p-1',
      outcome: 'failed',
      ecus: [{ ...ecu, result: 'failed', nrc: 0x72 }],
    };
    expect(await applyResults(db, [result])).toMatchObject({ applied: 1 });
    expect(await ecuRows(id)).toEqual([
      { release_id: planned.releaseId, result: 'failed', nrc: '0x72', bytes_on_bus: '10' },
    ]);
    const options = await sql<{ reloptions: string[] | null }>`
      SELECT reloptions FROM pg_class WHERE oid = 'campaign_ecus'::regclass`.execute(db);
    expect(options.rows[0]?.reloptions).toContain('fillfactor=50');
  });

  it('records the result of a planned ECU whose row another transaction changed meanwhile (found by its key)', async () => {
    const vin = planned.vins[1];
    const id = await plannedCampaign(vin);
    const first = await db.startTransaction().execute();
    await first
      .updateTable('campaign_ecus')
      .set({ error: 'changed meanwhile' })
      .where('campaign_id', '=', id)
      .execute();
    // Started while that change is uncommitted: its snapshot holds the row's older version.
    const applying = applyResults(db, [
      { vin, campaignId: id, reportId: 'c-1', outcome: 'failed', ecus: [{ ...ecu, result: 'failed', nrc: 0x31 }] },
    ]);
    if (testDb.engine === 'postgresql') {
      await waitFor('the result to wait for the row lock', async () => {
        const waiting = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
        return (waiting.rows[0]?.n ?? 0) > 0;
      });
    }
    await first.commit().execute();
    expect(await applying).toMatchObject({ applied: 1 });
    expect(await ecuRows(id)).toEqual([
      { release_id: planned.releaseId, result: 'failed', nrc: '0x31', bytes_on_bus: '10' },
    ]);
  });
});
