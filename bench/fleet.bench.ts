/**
 * A campaign for a whole fleet end to end (issue 20): `--vehicles N` (default 10,000) on real PostgreSQL
 * (DATABASE_URL) and a Mosquitto the bench starts, with `--instances K` (default 1) backend processes
 * (the real `backend serve`). The campaign is created, submitted (target resolution), approved and
 * started through the API; simulated vehicles (bench/fleet/responder.ts) answer each offer with a
 * result, at once or after installing for `--install-ms`, and resend it until the backend confirms it
 * stored. Each phase is timed, beside the broker's raw QoS 1 rate, the offer path's ceiling
 * (bench/fleet/offer-path-ceiling.ts), the backends' and PostgreSQL's CPU seconds, the backends' peak
 * RSS, and campaign list/detail latency (autocannon) at N targets against a second campaign of 10,000.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { UNTIL_STORED_DEFAULTS } from '@ota/protocol/mqtt';
import { BlobStore } from '../backend/blobs/store.ts';
import type { Db } from '../backend/db/database.ts';
import { ensureDevKeySet } from '../backend/keys/generate.ts';
import { destroyTestDatabase } from '../test/integration/delivery/harness.ts';
import { createTestDatabase } from '../test/support/db.ts';
import { MOSQUITTO_BINARY, startMosquitto } from '../test/support/mosquitto.ts';
import { campaignAction, campaignProgress, createFleetCampaign, metricValue } from './fleet/api.ts';
import { campaignApiLatency } from './fleet/api-latency.ts';
import type { ApiLatency } from './fleet/api-latency.ts';
import { backendCpuSeconds, backendPeakRss, startBenchBackends, stopBenchBackends } from './fleet/backends.ts';
import type { BenchBackend } from './fleet/backends.ts';
import { brokerRawRates, offerSize } from './fleet/broker-raw.ts';
import type { BrokerRawRates } from './fleet/broker-raw.ts';
import { offerPathCeiling } from './fleet/offer-path-ceiling.ts';
import type { OfferPathCeiling } from './fleet/offer-path-ceiling.ts';
import { statementRows, statementSnapshot } from './fleet/pg-statements.ts';
import { intArg } from './fleet/int-arg.ts';
import { postgresCpuSeconds, procStat } from './fleet/proc-stats.ts';
import { startResponder } from './fleet/responder.ts';
import type { Responder } from './fleet/responder.ts';
import { indexOf, insertBenchFleet, insertBenchReleases, insertBenchUsers, vinOf } from './fleet/seed.ts';
import type { BenchFleet, BenchUsers } from './fleet/seed.ts';

/** Targets of the second campaign, the API latency's reference size. */
const REFERENCE_TARGETS = 10_000;
/** Vehicles the offer path's ceiling is measured on (before the run, so no backend takes their reports). */
const CEILING_VEHICLES = 100_000;
/** Longest the campaign may take from approval to its last result before the bench gives up. */
const RUN_TIMEOUT_MS = 30 * 60_000;
/** Longest the bench waits after the last commit for every vehicle's confirmation (a resend takes up to 6 min). */
const CONFIRM_TIMEOUT_MS = 10 * 60_000;
/** Longest nothing may move (offers, results, states) before the bench gives up. */
const STALL_MS = 120_000;

interface FleetBenchArgs {
  vehicles: number;
  instances: number;
  /** A result unconfirmed this long is sent again (then 2, 4, 6 times as long). */
  resendMs: number;
  /** The same once the broker acknowledged the result. */
  resendAckedMs: number;
  /** How long each vehicle installs before it answers its offer (0: at once, offers and results compete). */
  installMs: number;
  /** Seconds autocannon runs per endpoint and size. */
  apiSeconds: number;
  /** MQTT connections the simulated vehicles share. */
  vehicleConnections: number;
  /** Whether installing vehicles report `downloading` at the offer (`--no-progress` turns it off, to measure its cost). */
  vehicleProgress: boolean;
}

export function parseFleetBenchArgs(args: string[]): FleetBenchArgs {
  return {
    vehicles: intArg(args, '--vehicles', 10_000, 10_000_000),
    instances: intArg(args, '--instances', 1, 16),
    resendMs: intArg(args, '--resend-ms', 10_000, 600_000),
    resendAckedMs: intArg(args, '--resend-acked-ms', UNTIL_STORED_DEFAULTS.ackedMs, 3_600_000),
    installMs: intArg(args, '--install-ms', 0, 3_600_000, 0),
    apiSeconds: intArg(args, '--api-seconds', 5, 600),
    vehicleConnections: intArg(args, '--vehicle-connections', 1, 1000),
    vehicleProgress: !args.includes('--no-progress'),
  };
}

const seconds = (fromMs: number, toMs: number) => (toMs - fromMs) / 1000;
const s = (x: number) => `${x.toFixed(1)} s`;
const n = (x: number) => Math.round(x).toLocaleString('en');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, seconds(start, performance.now())];
}

export default async function fleetBench(args: string[]): Promise<void> {
  if (!process.env.DATABASE_URL || !MOSQUITTO_BINARY) {
    console.log(
      'fleet bench: needs real PostgreSQL (DATABASE_URL) and a mosquitto binary, the backends run as processes (skipped, nothing measured)',
    );
    return;
  }
  const a = parseFleetBenchArgs(args);
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
  const testDb = await createTestDatabase();
  // Room in the responder's and the backends' queues for every vehicle's offer and result.
  const broker = await startMosquitto({
    persistence: false,
    why: 'the fleet bench',
    maxQueuedMessages: Math.max(200_000, 2 * a.vehicles),
  });
  let backends: BenchBackend[] = [];
  const cleanUp = async () => {
    await stopBenchBackends(backends);
    await broker.close();
    await destroyTestDatabase(testDb);
    await rm(dir, { recursive: true, force: true });
  };
  // Interrupted, the bench still stops and removes what it started (its finally block would not run).
  const interrupted = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const rows = await seedAndMeasureRaw(testDb.db, dir, broker.url, a);
    backends = await startBenchBackends({
      instances: a.instances,
      databaseUrl: testDb.url!,
      mqttUrl: broker.url,
      dir,
      runId: randomBytes(4).toString('hex'),
    });
    rows.push(
      ...(await runCampaigns({
        db: testDb.db,
        backends,
        mqttUrl: broker.url,
        brokerPid: broker.pid,
        a,
        c: rows.context,
      })),
    );
    printTable(rows);
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await cleanUp();
  }
}

type Row = [string, string];

/** A raw-rate line: the best round, then every round. */
const rawRow = (what: string, how: string, rounds: readonly number[]): Row => [
  `${what} (${how}; best of ${rounds.length} rounds)`,
  `${n(Math.max(...rounds))} (${rounds.map(n).join(', ')})`,
];

interface SeedContext {
  fleet: BenchFleet;
  reference: BenchFleet;
  users: BenchUsers;
  releaseIds: number[];
  /** The raw rounds, published and delivered; the best of each is a denominator of the ratios. */
  rawRates: BrokerRawRates;
  /** The offer path with no database or backend logic, on up to CEILING_VEHICLES of the fleet. */
  ceiling: OfferPathCeiling;
  size: number;
}

/** Users, releases, keys, the fleet (timed) and the broker's raw rate, before any backend runs. */
async function seedAndMeasureRaw(
  db: Db,
  dir: string,
  mqttUrl: string,
  a: FleetBenchArgs,
): Promise<Row[] & { context: SeedContext }> {
  const fleet: BenchFleet = { prefix: 'BENCH', size: a.vehicles, hardwareId: 'HW-BENCH' };
  const reference: BenchFleet = { prefix: 'SMALL', size: REFERENCE_TARGETS, hardwareId: 'HW-SMALL' };
  const users = await insertBenchUsers(db);
  const { baseSha256, releaseIds } = await insertBenchReleases(db, new BlobStore(join(dir, 'blobs')), [
    fleet,
    reference,
  ]);
  await ensureDevKeySet(join(dir, 'keys'));
  const [, insertS] = await timed(async () => {
    await insertBenchFleet(db, fleet, baseSha256);
    await insertBenchFleet(db, reference, baseSha256);
    // VACUUM too: autovacuum of the freshly inserted rows would otherwise start some time later, beside
    // the raw broker measurement or the run (it once cut the raw rate from about 17,000/s to 12,302/s).
    await sql`VACUUM (ANALYZE)`.execute(db);
  });
  const size = offerSize(1_000_000);
  const rawRates = await brokerRawRates(mqttUrl, Math.min(a.vehicles, 50_000), size);
  const ceiling = await offerPathCeiling({
    url: mqttUrl,
    fleet,
    vehicles: Math.min(a.vehicles, CEILING_VEHICLES),
    campaignId: 1_000_000,
    progress: a.vehicleProgress,
  });
  const rows: Row[] = [
    ['vehicles / backend instances', `${n(a.vehicles)} / ${a.instances}`],
    [`fleet insert (${n(a.vehicles + REFERENCE_TARGETS)} vehicles + ECUs, set-based SQL, VACUUM ANALYZE)`, s(insertS)],
  ];
  return Object.assign(rows, { context: { fleet, reference, users, releaseIds, rawRates, ceiling, size } });
}

/** What a run works with once its backends are up. */
interface BenchRun {
  db: Db;
  backends: BenchBackend[];
  mqttUrl: string;
  /** Mosquitto's process id, for its CPU seconds. */
  brokerPid: number | undefined;
  a: FleetBenchArgs;
  c: SeedContext;
}

/** The measured campaign through the API and its vehicles, then the reference campaign and the API latency. */
async function runCampaigns(run: BenchRun): Promise<Row[]> {
  const { backends, mqttUrl, a, c } = run;
  const api = backends[0]!.baseUrl;
  const campaignId = await createFleetCampaign(api, c.users, c.fleet, c.releaseIds[0]!);
  const [submitted, submitS] = await timed(() => campaignAction(api, c.users, campaignId, 'submit'));
  if (submitted.targetedVehicles !== a.vehicles)
    throw new Error(`submit targeted ${submitted.targetedVehicles} vehicles, not ${a.vehicles}`);
  const responder = await startResponder({
    url: mqttUrl,
    clientId: `fleet-bench-vehicles-${randomBytes(3).toString('hex')}`,
    campaignId,
    vehicles: a.vehicles,
    vinOf: (i) => vinOf(c.fleet, i),
    indexOf: (vin) => indexOf(c.fleet, vin),
    resendMs: a.resendMs,
    resendAckedMs: a.resendAckedMs,
    installMs: a.installMs,
    connections: a.vehicleConnections,
    progress: a.vehicleProgress,
  });
  try {
    const rows = await runToLastResult(run, responder, campaignId);
    // Vehicles whose confirmation was dropped still resend their result: the API is measured after.
    const [confirmedAll, confirmS] = await timed(() => untilAllConfirmed(responder, CONFIRM_TIMEOUT_MS));
    const confirmRow: Row = [
      'API measured after every vehicle got its `stored` (no resends left): waited',
      confirmedAll
        ? s(confirmS)
        : `not within ${s(CONFIRM_TIMEOUT_MS / 1000)}: ${n(responder.tracker.confirmed)} confirmed`,
    ];
    const referenceId = await createFleetCampaign(api, c.users, c.reference, c.releaseIds[1]!);
    const [, referenceSubmitS] = await timed(() => campaignAction(api, c.users, referenceId, 'submit'));
    // A draft after both, so each one's list page reads the same rows: its own and the next (limit + 1).
    await createFleetCampaign(api, c.users, c.reference, c.releaseIds[1]!);
    const token = c.users.manager;
    const latency = await campaignApiLatency(run.db, api, token, [campaignId, referenceId], a.apiSeconds);
    const [big, small] = latency.campaigns;
    return [
      [`submit: target resolution, POST .../submit (${n(a.vehicles)} targets)`, s(submitS)],
      [`submit of the ${n(REFERENCE_TARGETS)}-target reference campaign`, s(referenceSubmitS)],
      ...rows,
      confirmRow,
      ['API measured after waiting for autovacuum of the bench database', s(latency.vacuumWaitS)],
      ...latencyRows(a.vehicles, big!, small!),
    ];
  } finally {
    await responder.stop();
  }
}

/** The peers (raw rates, the offer path's ceiling) and the run's offers/s and results/s against them. */
function rateRows(c: SeedContext, progress: boolean, offersPerS: number, resultsPerS: number): Row[] {
  const published = Math.max(...c.rawRates.published);
  const delivered = Math.max(...c.rawRates.delivered);
  const ceiling = c.ceiling.offersPerSecond;
  const ratio = (x: number) =>
    `${n(x)} (${(x / published).toFixed(2)}x raw published, ${(x / delivered).toFixed(2)}x raw delivered)`;
  return [
    rawRow('broker raw QoS 1 publishes/s', `1 client, ${c.size} B, no subscriber`, c.rawRates.published),
    rawRow('broker raw QoS 1 deliveries/s', 'the same, received by 1 subscriber at QoS 1', c.rawRates.delivered),
    [
      `offer path with no database or backend logic: offers/s (${n(c.ceiling.vehicles)} vehicles, the dispatcher's batches and window, ${progress ? '`downloading` reported and received' : 'no progress reports'})`,
      `${n(ceiling)} (${(ceiling / published).toFixed(2)}x raw published; ${n(c.ceiling.progressReceived)} reports received by the last offer)`,
    ],
    [
      'offers/s (vehicles / approval -> last offer)',
      `${ratio(offersPerS)}, ${(offersPerS / ceiling).toFixed(2)}x the offer path's ceiling`,
    ],
    ['results/s (vehicles / ingest)', ratio(resultsPerS)],
  ];
}

/** Approve and start (timed from approval) until every result is confirmed; phases, rates, CPU and RSS. */
async function runToLastResult(
  { db, backends, a, c, brokerPid }: BenchRun,
  responder: Responder,
  campaignId: number,
): Promise<Row[]> {
  const api = backends[0]!.baseUrl;
  const cpu0 = backendCpuSeconds(backends);
  const brokerCpu = () => (brokerPid === undefined ? Number.NaN : procStat(brokerPid).cpuSeconds);
  const broker0 = brokerCpu();
  const self0 = process.cpuUsage();
  const pg0 = postgresCpuSeconds(Number(new URL(process.env.DATABASE_URL!).port || 5432));
  const statements0 = await statementSnapshot(db);
  const approved = performance.now();
  await campaignAction(api, c.users, campaignId, 'approve');
  await campaignAction(api, c.users, campaignId, 'start');
  // Nothing moves while every vehicle installs: that wait is no stall.
  const stallMs = STALL_MS + a.installMs;
  const committed = await untilAllSucceeded(backends, c.users, campaignId, responder, approved, stallMs);
  const cpu1 = backendCpuSeconds(backends);
  const broker1 = brokerCpu();
  const self1 = process.cpuUsage(self0);
  const pg1 = postgresCpuSeconds(Number(new URL(process.env.DATABASE_URL!).port || 5432));
  const rss = backendPeakRss(backends);
  const dropped = await Promise.all(backends.map((b) => metricValue(b.baseUrl, 'ota_broker_qos0_dropped')));
  const statements1 = statements0 && (await statementSnapshot(db));
  const states = await sql<{ state: string; n: number }>`SELECT state, count(*)::int AS n FROM campaign_vehicles
    WHERE campaign_id = ${campaignId} GROUP BY state ORDER BY state`.execute(db);
  const t = responder.times;
  const vehicles = responder.tracker.vehicles;
  const offersPerS = vehicles / seconds(approved, t.lastOffer!);
  const resultsPerS = vehicles / seconds(t.firstResult!, committed);
  const pgCpu =
    'seconds' in pg0 && 'seconds' in pg1
      ? s(pg1.seconds - pg0.seconds)
      : `not readable: ${'unreadable' in pg1 ? pg1.unreadable : ''}`;
  return [
    [
      'vehicles install for (offer received -> result sent)',
      a.installMs === 0
        ? 'no time: each answers at once'
        : `${s(a.installMs / 1000)}, ${a.vehicleProgress ? '`downloading` reported at the offer' : 'no progress reported (`--no-progress`)'}`,
    ],
    ['MQTT connections the simulated vehicles share', n(a.vehicleConnections)],
    ['approval -> first offer received by its vehicle', s(seconds(approved, t.firstOffer!))],
    ['approval -> last offer acknowledged (received by its vehicle)', s(seconds(approved, t.lastOffer!))],
    ['ingest: first result published -> last result committed', s(seconds(t.firstResult!, committed))],
    ['**approval -> last result committed (every vehicle succeeded)**', `**${s(seconds(approved, committed))}**`],
    ...rateRows(c, a.vehicleProgress, offersPerS, resultsPerS),
    [
      'results resent (unconfirmed in time) / refused / vehicles offered again',
      `${n(responder.tracker.resends)} / ${responder.rejected} / ${n(responder.reoffered)}`,
    ],
    [
      '`stored` confirmations dropped on a congested broker socket, per instance',
      dropped.map((d) => n(d ?? Number.NaN)).join(', '),
    ],
    ['campaign vehicles per state in the database', states.rows.map((r) => `${r.state} ${n(r.n)}`).join(', ')],
    ['backend CPU s per instance (approval -> last result)', cpu1.map((x, k) => s(x - cpu0[k]!)).join(', ')],
    ['PostgreSQL CPU s, whole server (approval -> last result)', pgCpu],
    [
      'Mosquitto CPU s / bench process (simulated vehicles) CPU s',
      `${s(broker1 - broker0)} / ${s((self1.user + self1.system) / 1e6)}`,
    ],
    [`backend peak RSS per instance at ${n(vehicles)} vehicles (VmHWM)`, rss.map(mb).join(', ')],
    ...(statements0 && statements1 ? statementRows(statements0, statements1, vehicles) : []),
  ];
}

/**
 * Polls the campaign's progress (its state counts) until every vehicle succeeded; the moment it saw
 * that. Prints progress every 10 s; fails naming the states and the backends' output when nothing
 * moved for `stallMs` or after RUN_TIMEOUT_MS.
 */
async function untilAllSucceeded(
  backends: readonly BenchBackend[],
  users: BenchUsers,
  campaignId: number,
  responder: Responder,
  since: number,
  stallMs: number,
): Promise<number> {
  const vehicles = responder.tracker.vehicles;
  let last = '';
  let changedAt = performance.now();
  let printedAt = since;
  for (;;) {
    const p = await campaignProgress(backends[0]!.baseUrl, users, campaignId);
    const now = performance.now();
    if ((p.byState.succeeded ?? 0) >= vehicles) return now;
    const t = responder.tracker;
    // Resends alone are no progress: they go on while the backend stores nothing.
    const moved = `${n(t.offers)} offered, ${n(t.sent)} answered, ${n(t.confirmed)} stored; database: ${JSON.stringify(p.byState)}`;
    const line = `${moved}; ${n(t.resends)} resent`;
    if (moved !== last) [last, changedAt] = [moved, now];
    if (now - printedAt >= 10_000) {
      console.log(`  ${s(seconds(since, now))}: ${line}`);
      printedAt = now;
    }
    if (now - changedAt > stallMs || now - since > RUN_TIMEOUT_MS)
      throw new Error(
        `the campaign stalled (${line}); backends:\n${backends.map((b) => b.process.output().slice(-2000)).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Whether every vehicle's current result was confirmed within `timeoutMs`. */
async function untilAllConfirmed(responder: Responder, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (responder.tracker.confirmed < responder.tracker.vehicles) {
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

type CampaignLatency = ApiLatency['campaigns'][number];

function latencyRows(vehicles: number, big: CampaignLatency, small: CampaignLatency): Row[] {
  return (['list', 'detail'] as const).map((endpoint) => {
    const [b, r] = [big[endpoint], small[endpoint]];
    // Each round measured both campaigns: its ratio shows how much the machine's load moved the figures.
    const perRound = big.rounds[endpoint].map((l, k) => l.mean / small.rounds[endpoint][k]!.mean);
    return [
      `API ${endpoint}: mean / p99 ms, req/s at ${n(vehicles)} vs ${n(REFERENCE_TARGETS)} targets (ratio of means; per-round ratios)`,
      `${b.mean.toFixed(2)} / ${b.p99} ms, ${n(b.requestsPerSecond)} vs ${r.mean.toFixed(2)} / ${r.p99} ms, ${n(r.requestsPerSecond)} (${(b.mean / r.mean).toFixed(2)}x; ${perRound.map((x) => x.toFixed(2)).join(', ')})`,
    ];
  });
}

function printTable(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n| ${'measure'.padEnd(width)} | value |\n| ${'-'.repeat(width)} | --- |`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
}
