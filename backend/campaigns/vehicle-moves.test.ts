import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertUsers, runningCampaign } from '../../test/integration/delivery/fixtures.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import type { VehicleCampaignState } from './types.ts';
import { changeVehicleLifecycle } from '../fleet/service.ts';
import { evaluateCampaign } from './waves.ts';
import { listedMoves, lockedMoves, moveVehicles } from './vehicle-moves.ts';

const database = useTestDatabase();
let users: { creator: number; approver: number };

beforeAll(async () => {
  users = await insertUsers(database.db);
});

let fleetNo = 0;
/** A running single-wave campaign over `count` fresh vehicles, all pending. */
function campaignOf(count: number): Promise<{ campaignId: number; vins: string[] }> {
  fleetNo += 1;
  return runningCampaign(database.db, { prefix: `MV${fleetNo}`, count, users });
}

const move = (campaignId: number, vin: string, to: VehicleCampaignState) =>
  moveVehicles(database.db, listedMoves([{ campaignId, vin, to, at: new Date() }]));

async function eventsOf(campaignId: number): Promise<Record<string, string[]>> {
  const rows = await database.db
    .selectFrom('campaign_vehicle_events')
    .select(['vin', 'from_state', 'to_state'])
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute();
  const byVin: Record<string, string[]> = {};
  for (const r of rows) (byVin[r.vin] ??= []).push(`${r.from_state}->${r.to_state}`);
  return byVin;
}

describe('moveVehicles', () => {
  it('makes legal moves only, reporting the state each vehicle really left', async () => {
    const { campaignId, vins } = await campaignOf(3);
    const [a, b, c] = vins as [string, string, string];
    const first = await moveVehicles(
      database.db,
      listedMoves([
        { campaignId, vin: a, to: 'offered', at: new Date() },
        { campaignId, vin: b, to: 'succeeded', at: new Date() }, // pending -> succeeded: never offered
        { campaignId, vin: c, to: 'offered', at: new Date() },
      ]),
    );
    expect(first.map((m) => [m.vin, m.from, m.to])).toEqual([
      [a, 'pending', 'offered'],
      [c, 'pending', 'offered'],
    ]);
    // A result overtaking the progress: offered -> succeeded directly.
    expect((await move(campaignId, a, 'succeeded')).map((m) => m.from)).toEqual(['offered']);
    expect(await move(campaignId, a, 'failed')).toEqual([]); // out of a final state
    expect(await move(campaignId, c, 'pending')).toEqual([]); // backwards
    // Rows a selection locked are judged by the state it read: a is final, c goes on.
    const locked = await moveVehicles(
      database.db,
      lockedMoves(
        sql`SELECT campaign_id, vin, state FROM campaign_vehicles WHERE campaign_id = ${campaignId} AND vin IN (${a}, ${c}) FOR UPDATE`,
        'downloading',
        new Date(),
      ),
    );
    expect(locked.map((m) => [m.vin, m.from, m.to])).toEqual([[c, 'offered', 'downloading']]);
    expect(await eventsOf(campaignId)).toEqual({
      [a]: ['pending->offered', 'offered->succeeded'],
      [c]: ['pending->offered', 'offered->downloading'],
    });
    const offer = await database.db
      .selectFrom('campaign_vehicles')
      .select(['offer_count', 'offered_at'])
      .where('campaign_id', '=', campaignId)
      .where('vin', '=', c)
      .executeTakeFirstOrThrow();
    expect(offer.offer_count).toBe(1);
    expect(offer.offered_at).not.toBeNull();
  });

  it('logs one event row per statement and (from, to, time), each vehicle of it in the per-vehicle view', async () => {
    const { campaignId, vins } = await campaignOf(4);
    const at = new Date();
    const [a, b, c, d] = vins as [string, string, string, string];
    await moveVehicles(database.db, listedMoves([a, b, c].map((vin) => ({ campaignId, vin, to: 'offered', at }))));
    // One statement, two origins: pending -> succeeded is illegal, so d stays; a, b, c close.
    await moveVehicles(
      database.db,
      listedMoves([
        { campaignId, vin: a, to: 'downloading', at },
        { campaignId, vin: b, to: 'failed', at },
        { campaignId, vin: c, to: 'failed', at },
        { campaignId, vin: d, to: 'succeeded', at },
      ]),
    );
    const { rows: batches } = await sql`SELECT from_state, to_state, vins FROM campaign_vehicle_event_batches
      WHERE campaign_id = ${campaignId} ORDER BY to_state`.execute(database.db);
    expect(batches).toEqual([
      { from_state: 'offered', to_state: 'downloading', vins: [a] },
      { from_state: 'offered', to_state: 'failed', vins: [b, c] },
      { from_state: 'pending', to_state: 'offered', vins: [a, b, c] },
    ]);
    expect(await eventsOf(campaignId)).toEqual({
      [a]: ['pending->offered', 'offered->downloading'],
      [b]: ['pending->offered', 'offered->failed'],
      [c]: ['pending->offered', 'offered->failed'],
    });
  });

  it('refuses two moves for one vehicle in one batch', async () => {
    const at = new Date();
    expect(() =>
      listedMoves([
        { campaignId: 1, vin: 'X', to: 'offered', at },
        { campaignId: 1, vin: 'X', to: 'failed', at },
      ]),
    ).toThrow(/one move per vehicle/);
  });

  it('logs the state a vehicle left when the deadline expires it, offered or pending', async () => {
    const { campaignId, vins } = await campaignOf(2);
    const [offered, pending] = vins as [string, string];
    await move(campaignId, offered, 'offered');
    await database.db
      .updateTable('campaigns')
      .set({ deadline_at: new Date(Date.now() - 60_000) })
      .where('id', '=', campaignId)
      .execute();
    expect(await evaluateCampaign(database.db, campaignId)).toEqual({ action: 'expired', vehicles: 2 });
    expect(await eventsOf(campaignId)).toEqual({
      [offered]: ['pending->offered', 'offered->expired'],
      [pending]: ['pending->expired'],
    });
  });

  it('logs the state a vehicle left when its lifecycle cancels it', async () => {
    const { campaignId, vins } = await campaignOf(1);
    const vin = vins[0] as string;
    await move(campaignId, vin, 'offered');
    await changeVehicleLifecycle(database.db, { userId: users.creator, name: 'creator' }, vin, {
      to: 'isolated',
      reason: 'known vulnerable',
    });
    expect(await eventsOf(campaignId)).toEqual({ [vin]: ['pending->offered', 'offered->cancelled'] });
  });

  it.each([
    ['listed', (campaignId: number, vin: string) => move(campaignId, vin, 'succeeded')],
    [
      'locked by their selection',
      (campaignId: number, vin: string) =>
        moveVehicles(
          database.db,
          lockedMoves(
            sql`SELECT campaign_id, vin, state FROM campaign_vehicles
              WHERE campaign_id = ${campaignId} AND vin = ${vin} FOR UPDATE`,
            'succeeded',
            new Date(),
          ),
        ),
    ],
  ])('logs the state left under a concurrent move, read under the lock (moves %s)', async (_, moveToSucceeded) => {
    const { campaignId, vins } = await campaignOf(1);
    const vin = vins[0] as string;
    await move(campaignId, vin, 'offered');
    const first = await database.db.startTransaction().execute();
    await moveVehicles(first, listedMoves([{ campaignId, vin, to: 'downloading', at: new Date() }]));
    // Started while the first move is uncommitted: its snapshot still says `offered`.
    const second = moveToSucceeded(campaignId, vin);
    if (database.engine === 'postgresql') {
      await waitFor('the second move to wait for the lock', async () => {
        const waiting = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(database.db);
        return (waiting.rows[0]?.n ?? 0) > 0;
      });
    }
    await first.commit().execute();
    expect((await second).map((m) => [m.from, m.to])).toEqual([['downloading', 'succeeded']]);
    expect(await eventsOf(campaignId)).toEqual({
      [vin]: ['pending->offered', 'offered->downloading', 'downloading->succeeded'],
    });
  });
});
