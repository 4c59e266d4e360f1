/**
 * PostgreSQL's share of a fleet campaign alone (issue 20), without broker, vehicles or HTTP: a
 * submitted campaign of `--vehicles N` (default 100,000) is dispatched and finished through the
 * backend's own functions in the order the fleet bench's backend runs them: the wave's delta
 * packages (ensureWaveDeltas), claims of `--claim 1000` (claimOffers) each followed by its offers'
 * detail query (downloadBytes, what publishOffers reads), and result batches of `--results 2000`
 * (applyResults), with the counts read and the rollout rules evaluated once per result batch.
 * Prints the wall time, PostgreSQL's CPU seconds and, when the server preloads pg_stat_statements,
 * each statement's cost per 1,000 vehicles. Few moving parts, so two runs back to back compare SQL
 * changes with little of the machine's noise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { BlobStore } from '../backend/blobs/store.ts';
import { transitionCampaign, createCampaign } from '../backend/campaigns/service.ts';
import { vehicleCounts } from '../backend/campaigns/vehicle-counts.ts';
import { evaluateCampaignUnlessBusy } from '../backend/campaigns/waves.ts';
import type { Db } from '../backend/db/database.ts';
import { claimOffers } from '../backend/delivery/claim-offers.ts';
import { ensureWaveDeltas } from '../backend/delivery/delta-cache.ts';
import type { ClaimedOffer } from '../backend/delivery/claim-offers.ts';
import { applyResults } from '../backend/delivery/ingest/apply-results.ts';
import type { ResultReport } from '../backend/delivery/ingest/apply-results.ts';
import { downloadBytes } from '../backend/delivery/offers.ts';
import { destroyTestDatabase } from '../test/integration/delivery/harness.ts';
import { createTestDatabase } from '../test/support/db.ts';
import { statementRows, statementSnapshot } from './fleet/pg-statements.ts';
import { intArg } from './fleet/int-arg.ts';
import { postgresCpuSeconds } from './fleet/proc-stats.ts';
import { insertBenchFleet, insertBenchReleases, insertBenchUsers } from './fleet/seed.ts';
import type { BenchFleet } from './fleet/seed.ts';

/** The bench fleet's one ECU, updated from its seeded 1.0.0 to the release's 2.0.0. */
const updatedEcu = { ecuSerial: 'ECU-1', fromVersion: '1.0.0', toVersion: '2.0.0' };

const resultOf = (campaignId: number, vin: string): ResultReport => ({
  vin,
  campaignId,
  reportId: `bench-${vin}`,
  outcome: 'succeeded',
  ecus: [{ ...updatedEcu, result: 'succeeded', bytesOnBus: 4000, durationMs: 1000 }],
});

/** A submitted, approved and started one-wave campaign over the fleet; its id. */
async function startedCampaign(db: Db, fleet: BenchFleet, releaseId: number): Promise<number> {
  const [manager, approver] = await db.selectFrom('users').select(['id', 'name']).orderBy('id').execute();
  const as = (u: { id: number; name: string }) => ({ userId: u.id, name: u.name });
  const campaign = await createCampaign(db, as(manager!), {
    name: 'fleet sql bench',
    kind: 'bug_fix',
    releaseIds: [releaseId],
    vulnerabilityIds: [],
    targetFilter: { hardwareIds: [fleet.hardwareId] },
    installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
    waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1, soakMinutes: 0 }],
    pacingPerMinute: 1_000_000,
  });
  for (const [action, user] of [
    ['submit', manager],
    ['approve', approver],
    ['start', manager],
  ] as const)
    await transitionCampaign(db, as(user!), campaign.id, { action, reason: 'fleet sql bench' });
  return campaign.id;
}

/** Every vehicle claimed, offered and finished, in the backend's order; seconds taken. */
async function runCampaign(
  db: Db,
  blobs: BlobStore,
  campaignId: number,
  claim: number,
  results: number,
): Promise<number> {
  const start = performance.now();
  await ensureWaveDeltas(db, blobs, campaignId, 1);
  let cursor = '';
  let open: ClaimedOffer[] = [];
  for (;;) {
    const claimed = await claimOffers(db, { campaignId, waveNo: 1, afterVin: cursor, limit: claim });
    if (claimed.length > 0) {
      cursor = claimed.at(-1)!.vin;
      await downloadBytes(
        db,
        campaignId,
        claimed.map((o) => o.vin),
      );
      open.push(...claimed);
    }
    while (open.length >= results || (claimed.length === 0 && open.length > 0)) {
      const batch = open.slice(0, results);
      open = open.slice(results);
      await applyResults(
        db,
        batch.map((o) => resultOf(campaignId, o.vin)),
      );
      await vehicleCounts(db, [campaignId]);
      await evaluateCampaignUnlessBusy(db, campaignId, new Date());
    }
    if (claimed.length === 0) return (performance.now() - start) / 1000;
  }
}

export default async function fleetSqlBench(args: string[]): Promise<void> {
  if (!process.env.DATABASE_URL) {
    console.log('fleet-sql bench: needs real PostgreSQL (DATABASE_URL) (skipped, nothing measured)');
    return;
  }
  const vehicles = intArg(args, '--vehicles', 100_000);
  const claim = intArg(args, '--claim', 1000);
  const results = intArg(args, '--results', 2000);
  const dir = await mkdtemp(join(tmpdir(), 'fleet-sql-bench-'));
  const testDb = await createTestDatabase();
  const db = testDb.db;
  try {
    const fleet: BenchFleet = { prefix: 'BENCH', size: vehicles, hardwareId: 'HW-BENCH' };
    await insertBenchUsers(db);
    const blobs = new BlobStore(join(dir, 'blobs'));
    const { baseSha256, releaseIds } = await insertBenchReleases(db, blobs, [fleet]);
    await insertBenchFleet(db, fleet, baseSha256);
    await sql`ANALYZE`.execute(db);
    const campaignId = await startedCampaign(db, fleet, releaseIds[0]!);
    const port = Number(new URL(process.env.DATABASE_URL).port || 5432);
    const pg0 = postgresCpuSeconds(port);
    const s0 = await statementSnapshot(db);
    const wall = await runCampaign(db, blobs, campaignId, claim, results);
    const pg1 = postgresCpuSeconds(port);
    const s1 = s0 && (await statementSnapshot(db));
    const done = await sql<{ n: number }>`SELECT count(*)::int AS n FROM campaign_vehicles
      WHERE campaign_id = ${campaignId} AND state = 'succeeded'`.execute(db);
    if (done.rows[0]!.n !== vehicles) throw new Error(`${done.rows[0]!.n} of ${vehicles} vehicles succeeded`);
    const cpu = 'seconds' in pg0 && 'seconds' in pg1 ? `${(pg1.seconds - pg0.seconds).toFixed(1)} s` : 'not readable';
    const rows: [string, string][] = [
      ['vehicles / claim / result batch', `${vehicles.toLocaleString('en')} / ${claim} / ${results}`],
      ['claims, offer details and results: wall time', `${wall.toFixed(1)} s`],
      ['PostgreSQL CPU, whole server', cpu],
      ...(s0 && s1 ? statementRows(s0, s1, vehicles) : []),
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`| ${'measure'.padEnd(width)} | value |\n| ${'-'.repeat(width)} | --- |`);
    for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
  } finally {
    await destroyTestDatabase(testDb);
    await rm(dir, { recursive: true, force: true });
  }
}
