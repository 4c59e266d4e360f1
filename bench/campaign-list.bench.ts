/**
 * Campaign list and detail latency (issues 16 and 20) for a campaign of 10,000 and one of
 * 1,000,000 target vehicles (--sizes to change), on PostgreSQL from DATABASE_URL (PGlite when
 * unset). Beside each figure, its peer measured in the same run: the same answer computed the way
 * it was before the state counts, i.e. four queries per campaign with a count over every
 * campaign_vehicles row, and progress grouped over the campaign's rows.
 * Rows are inserted set-based (generate_series); 30 % of each campaign is offered and a third of
 * those succeed, so the counts span several states.
 */
import { sql } from 'kysely';
import type { Db } from '../backend/db/database.ts';
import { listCampaigns, loadCampaign } from '../backend/campaigns/service.ts';
import { campaignProgress } from '../backend/campaigns/waves.ts';
import {
  addTargetVehicles,
  compactVehicleCounts,
  moveVehiclesCounted,
  selectedMoves,
} from '../backend/campaigns/vehicle-moves.ts';
import { insertCampaign, insertUsers } from '../test/integration/delivery/fixtures.ts';
import { destroyTestDatabase } from '../test/integration/delivery/harness.ts';
import { createTestDatabase } from '../test/support/db.ts';

const WAVES = [1, 10, 50, 100].map((p) => ({ cumulativePercent: p, successThreshold: 0.95, errorThreshold: 0.05 }));
/** Campaigns on a list page: the measured one and this many small ones after it. */
const PAGE = 10;
const vin = (i: string) => sql`'CLB' || lpad(${sql.raw(i)}::text, 14, '0')`;

interface Timing {
  median: number;
  p95: number;
}

async function time(iterations: number, run: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 3; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)] ?? 0, p95: ms[Math.floor(ms.length * 0.95)] ?? 0 };
}

/** The campaign's answer as before the counts: releases, vulnerabilities, waves, count(*) of its rows. */
async function oldDetail(db: Db, id: number): Promise<number> {
  const [, , , count] = await Promise.all([
    sql`SELECT release_id FROM campaign_releases WHERE campaign_id = ${id} ORDER BY release_id`.execute(db),
    sql`SELECT vulnerability_id FROM campaign_vulnerabilities WHERE campaign_id = ${id} ORDER BY vulnerability_id`.execute(
      db,
    ),
    sql`SELECT * FROM campaign_waves WHERE campaign_id = ${id} ORDER BY wave_no`.execute(db),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM campaign_vehicles WHERE campaign_id = ${id}`.execute(db),
  ]);
  return count.rows[0]?.n ?? 0;
}

/** A list page as before: the campaigns, then the four queries of oldDetail for each. */
async function oldList(db: Db, afterId: number): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    SELECT * FROM campaigns WHERE id > ${afterId} ORDER BY id LIMIT ${PAGE + 1}`.execute(db);
  const counts: number[] = [];
  for (const r of rows.rows.slice(0, PAGE)) counts.push(await oldDetail(db, r.id));
  return counts;
}

const oldProgress = (db: Db, id: number) =>
  sql`SELECT wave_no, state, count(*)::int AS n FROM campaign_vehicles WHERE campaign_id = ${id} GROUP BY wave_no, state`.execute(
    db,
  );

/** A campaign targeting the first `size` fleet vehicles, in waves, partly offered and succeeded. */
async function campaignOf(db: Db, users: { creator: number; approver: number }, size: number): Promise<number> {
  const { campaignId } = await insertCampaign(db, { releaseIds: [], vins: [], waves: WAVES, users });
  const bounds = WAVES.map((w) => Math.ceil((w.cumulativePercent / 100) * size));
  const wave = sql.raw(`CASE ${bounds.map((b, k) => `WHEN i <= ${b} THEN ${k + 1}`).join(' ')} END`);
  await addTargetVehicles(
    db,
    campaignId,
    sql`SELECT ${vin('i')} AS vin, ${wave} AS wave_no FROM generate_series(1, ${size}) AS i`,
  );
  const firstOf = (n: number) =>
    sql`SELECT campaign_id, vin FROM campaign_vehicles WHERE campaign_id = ${campaignId} AND vin <= ${vin(String(n))}`;
  await moveVehiclesCounted(db, selectedMoves(firstOf(Math.floor(size * 0.3)), 'offered', new Date()));
  await moveVehiclesCounted(db, selectedMoves(firstOf(Math.floor(size * 0.1)), 'succeeded', new Date()));
  await compactVehicleCounts(db, campaignId);
  // Small campaigns after it, so a list page holds PAGE campaigns.
  for (let k = 1; k < PAGE; k++) {
    await insertCampaign(db, { releaseIds: [], vins: [], waves: WAVES, users });
  }
  return campaignId;
}

export default async function campaignListBench(args: string[]): Promise<void> {
  const at = args.indexOf('--sizes');
  const sizes = (at >= 0 ? (args[at + 1] ?? '') : '10000,1000000').split(',').map(Number);
  if (sizes.length !== 2 || sizes.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 10_000_000))
    throw new Error(`--sizes must be two positive integers like 10000,1000000, got ${args[at + 1]}`);
  const iterAt = args.indexOf('--iterations');
  const iterations = iterAt >= 0 ? Number(args[iterAt + 1]) : 30;

  const testDb = await createTestDatabase();
  const db = testDb.db;
  try {
    const users = await insertUsers(db);
    await db.insertInto('vehicle_models').values({ id: 'bench', name: 'Bench' }).execute();
    const fleet = Math.max(...sizes);
    let start = performance.now();
    await sql`INSERT INTO vehicles (vin, model_id, model_year, region)
      SELECT ${vin('i')}, 'bench', 2024, 'EU' FROM generate_series(1, ${fleet}) AS i`.execute(db);
    const ids: number[] = [];
    for (const size of sizes) ids.push(await campaignOf(db, users, size));
    await sql`ANALYZE`.execute(db);
    const setupS = (performance.now() - start) / 1000;

    const rows: [string, ...string[]][] = [];
    const row = async (label: string, run: (id: number) => Promise<unknown>) => {
      const cells: string[] = [];
      for (const id of ids) {
        const t = await time(iterations, () => run(id));
        cells.push(`${t.median.toFixed(2)} / ${t.p95.toFixed(2)}`);
      }
      rows.push([label, ...cells]);
    };
    start = performance.now();
    await row('detail (counts)', (id) => loadCampaign(db, id));
    await row('detail, before: 4 queries + count(*)', (id) => oldDetail(db, id));
    await row(`list page of ${PAGE} (counts)`, (id) =>
      listCampaigns(db, {}, { limit: PAGE, cursor: cursorBefore(id) }),
    );
    await row(`list page of ${PAGE}, before: 1 + 4 per campaign`, (id) => oldList(db, id - 1));
    await row('progress (counts)', (id) => campaignProgress(db, id));
    await row('progress, before: GROUP BY over the rows', (id) => oldProgress(db, id));
    const measureS = (performance.now() - start) / 1000;

    const engine = testDb.engine === 'postgresql' ? 'PostgreSQL (DATABASE_URL)' : 'PGlite';
    console.log(`campaign list/detail latency on ${engine}, ms median / p95 over ${iterations} runs`);
    console.log(
      `(setup ${setupS.toFixed(1)} s: fleet of ${fleet.toLocaleString('en')}, targets, moves; measuring ${measureS.toFixed(1)} s)\n`,
    );
    console.log(`| | ${sizes.map((n) => `${n.toLocaleString('en')} targets`).join(' | ')} |`);
    console.log(`| --- | ${sizes.map(() => '---').join(' | ')} |`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    await destroyTestDatabase(testDb);
  }
}

/** The list cursor that starts a page at campaign `id`. */
export function cursorBefore(id: number): string {
  return Buffer.from(JSON.stringify(id - 1)).toString('base64url');
}
