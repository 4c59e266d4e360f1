import fc from 'fast-check';
import { sql } from 'kysely';
import type { KyselyPlugin } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertCampaign, insertFleet, insertUsers } from '../../test/integration/delivery/fixtures.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import type { Db } from '../db/database.ts';
import { VEHICLE_CAMPAIGN_STATES } from './types.ts';
import { listCampaigns, loadCampaign } from './service.ts';
import { vehicleCounts } from './vehicle-counts.ts';
import {
  compactVehicleCounts,
  listedMoves,
  moveVehicles,
  moveVehiclesCounted,
  selectedMoves,
} from './vehicle-moves.ts';
import { WAITING_VEHICLE_STATES } from './states.ts';

const database = useTestDatabase();
let users: { creator: number; approver: number };
let vins: string[];

beforeAll(async () => {
  users = await insertUsers(database.db);
  vins = (
    await insertFleet(database.db, {
      prefix: 'CNT',
      count: 8,
      hardwareId: 'HW',
      baseVersion: '1',
      baseSha256: () => null,
    })
  ).map((v) => v.vin);
});

const newCampaign = async () =>
  (
    await insertCampaign(database.db, {
      releaseIds: [],
      vins,
      waves: [
        { cumulativePercent: 50, successThreshold: 1, errorThreshold: 1 },
        { cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 },
      ],
      users,
    })
  ).campaignId;

/** The counts by a full scan of the campaign's vehicles: what the kept counts must equal. */
async function recount(campaignId: number) {
  const rows = await sql<{ wave_no: number; state: string; n: number }>`
    SELECT wave_no, state, count(*)::int AS n FROM campaign_vehicles WHERE campaign_id = ${campaignId}
    GROUP BY wave_no, state ORDER BY wave_no, state`.execute(database.db);
  return rows.rows.map((r) => ({ campaignId, waveNo: r.wave_no, state: r.state, n: r.n }));
}

const state = fc.constantFrom(...VEHICLE_CAMPAIGN_STATES);
const step = fc.oneof(
  // Reports: any vehicles to any states, legal or not.
  fc.record({
    kind: fc.constant('listed' as const),
    moves: fc.uniqueArray(fc.record({ vin: fc.nat(7), to: state }), { selector: (m) => m.vin, maxLength: 8 }),
  }),
  // A whole-campaign move, as cancel and expiry do.
  fc.record({ kind: fc.constant('waiting' as const), to: fc.constantFrom('cancelled' as const, 'expired' as const) }),
  fc.record({ kind: fc.constant('compact' as const) }),
);

describe('vehicle state counts', () => {
  it('equal a full recount after any sequence of moves, compactions included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const campaignId = await newCampaign();
        for (const s of steps) {
          const at = new Date();
          if (s.kind === 'listed') {
            await moveVehicles(
              database.db,
              listedMoves(s.moves.map((m) => ({ campaignId, vin: vins[m.vin] as string, to: m.to, at }))),
            );
          } else if (s.kind === 'waiting') {
            await moveVehiclesCounted(
              database.db,
              selectedMoves(
                sql`SELECT campaign_id, vin FROM campaign_vehicles WHERE campaign_id = ${campaignId} AND state = ANY(${WAITING_VEHICLE_STATES}::text[])`,
                s.to,
                at,
              ),
            );
          } else {
            await compactVehicleCounts(database.db, campaignId);
          }
          expect(await vehicleCounts(database.db, [campaignId])).toEqual(await recount(campaignId));
        }
      }),
      { numRuns: 15 },
    );
  });
});

/** Counts the statements sent through a Kysely instance. */
function countingQueries(): { plugin: KyselyPlugin; count: () => number } {
  let n = 0;
  return {
    plugin: {
      transformQuery: (args) => {
        n += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    },
    count: () => n,
  };
}

describe('campaign list and detail', () => {
  it('cost a constant number of queries, however many campaigns a page holds', async () => {
    const queriesFor = async (read: (db: Db) => Promise<unknown>) => {
      const counter = countingQueries();
      await read(database.db.withPlugin(counter.plugin));
      return counter.count();
    };
    const listPage = (d: Db) => listCampaigns(d, {}, { limit: 100 });
    await newCampaign();
    const few = await queriesFor(listPage);
    for (let i = 0; i < 5; i++) await newCampaign();
    const many = await queriesFor(listPage);
    expect((await listPage(database.db)).items.length).toBeGreaterThanOrEqual(6);
    expect(many).toBe(few);
    expect(few).toBeLessThanOrEqual(5);

    const id = await newCampaign();
    expect(await queriesFor((d) => loadCampaign(d, id))).toBe(few);
    expect((await loadCampaign(database.db, id)).targetedVehicles).toBe(vins.length);
  });
});
