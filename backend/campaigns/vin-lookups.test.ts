import { sql } from 'kysely';
import type { CompiledQuery, RawBuilder } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { runningCampaign } from '../../test/integration/delivery/fixtures.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { openOffersOf, reofferOnline } from '../delivery/offers.ts';
import {
  addTargetVehicles,
  moveVehiclesCounted,
  moveWaitingVehicles,
  selectedMoves,
  waitingVehicles,
} from './vehicle-moves.ts';

// campaign_vehicles is keyed (campaign_id, vin) and has no index by VIN: the lookups by VIN alone
// (offers re-sent to vehicles coming online, a vehicle's lifecycle cancelling its waiting offers)
// read it through the primary key, one probe per campaign. Their plans must never scan the table,
// however many campaigns run: on PostgreSQL 15, with several running, a join by VIN was a scan.

const database = useTestDatabase();

/** Targets of the big campaign, enough that a scan costs the planner more than probes. */
const BIG = 50_000;
const bigVin = (i: number) => `VL${String(i).padStart(15, '0')}`;
/** VINs of one batch of reconnecting vehicles: offered ones of the big campaign and a small campaign's. */
const batch = Array.from({ length: 100 }, (_, i) => bigVin(i * 7 + 1));
let small: { campaignId: number; vins: string[] };
let paused: { campaignId: number; vins: string[] };

/** How each plan node reading campaign_vehicles reads it (type and index condition), from EXPLAIN (FORMAT JSON). */
async function campaignVehicleScans(query: CompiledQuery): Promise<string[]> {
  const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': unknown }>({
    ...query,
    sql: `EXPLAIN (FORMAT JSON) ${query.sql}`,
  });
  const scans: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === 'campaign_vehicles')
      scans.push(`${String(node['Node Type'])}: ${String(node['Index Cond'] ?? '')}`);
    for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  const plan = rows[0]!['QUERY PLAN'];
  walk((typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan);
  return scans;
}

/** Offers a campaign's vehicles (those matching `where`). */
async function offer(campaignId: number, where: RawBuilder<unknown> = sql`true`): Promise<void> {
  const selection = sql`SELECT campaign_id, vin FROM campaign_vehicles WHERE campaign_id = ${campaignId} AND ${where}`;
  await moveVehiclesCounted(database.db, selectedMoves(selection, 'offered', new Date()));
}

beforeAll(async () => {
  const db = database.db;
  const big = await runningCampaign(db, { prefix: 'VLBIG', count: 1 });
  await addTargetVehicles(
    db,
    big.campaignId,
    sql`SELECT 'VL' || lpad(i::text, 15, '0') AS vin, 1 AS wave_no FROM generate_series(1, ${BIG}) i`,
  );
  await offer(big.campaignId, sql`vin <= ${bigVin(500)}`);
  // Seven more running campaigns: a join by VIN alone was planned as a scan from six on.
  const others = [];
  for (let i = 0; i < 7; i++) others.push(await runningCampaign(db, { prefix: `VLS${i}`, count: 2, users: big.users }));
  [small, paused] = [others[0]!, others[1]!];
  await offer(small.campaignId);
  await offer(paused.campaignId);
  await db.updateTable('campaigns').set({ state: 'paused' }).where('id', '=', paused.campaignId).execute();
  await sql`ANALYZE`.execute(db);
}, 120_000);

describe('campaign vehicles looked up by VIN', () => {
  it('re-offers to reconnecting vehicles through the primary key, never a scan', async () => {
    const scans = await campaignVehicleScans(openOffersOf(database.db, [...batch, ...small.vins]).compile());
    expect(scans.length).toBeGreaterThan(0);
    // Probes by campaign and VIN: not a scan, nor (PostgreSQL 18, as PGlite) a skip scan of the key.
    for (const scan of scans) expect(scan).toMatch(/^Index Scan: \(\(campaign_id = /);
  });

  it("re-offers exactly the reconnecting vehicles' open offers of running campaigns", async () => {
    const sent: string[] = [];
    const broker = {
      mqtt: { connected: true },
      publish: (topic: string) => {
        sent.push(topic.split('/').at(-2)!);
        return Promise.resolve();
      },
    } as unknown as BrokerClient;
    const n = await reofferOnline(broker, database.db, [...batch, ...small.vins, ...paused.vins]);
    // Offered: the big campaign's first 500 VINs (i * 7 + 1 <= 500 for i < 72) and the small campaign's.
    const expected = [...batch.slice(0, 72), ...small.vins];
    expect(n).toBe(expected.length);
    expect(sent.sort()).toEqual(expected.sort());
  });

  it("reads one vehicle's waiting offers in every campaign through the primary key, and moves them", async () => {
    const scans = await campaignVehicleScans(waitingVehicles({ vin: bigVin(1) }).compile(database.db));
    expect(scans.length).toBeGreaterThan(0);
    // Probes by campaign and VIN: not a scan, nor (PostgreSQL 18, as PGlite) a skip scan of the key.
    for (const scan of scans) expect(scan).toMatch(/^Index Scan: \(\(campaign_id = /);
    expect(await moveWaitingVehicles(database.db, { vin: small.vins[0]! }, 'cancelled', new Date())).toBe(1);
  });
});
