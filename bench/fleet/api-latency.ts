// Campaign list and detail latency over HTTP (autocannon) against a running backend, for campaigns of
// different sizes in the same database, so the bench can say how latency grows with the targets.
import autocannon from 'autocannon';
import { sql } from 'kysely';
import type { Db } from '../../backend/db/database.ts';
import { authorization, backendApi } from '../../test/support/backend-api.ts';
import type { Api } from '../../test/support/backend-api.ts';
import { cursorBefore } from '../campaign-list.bench.ts';

export interface Latency {
  /** Mean and 99th percentile, ms. */
  readonly mean: number;
  readonly p99: number;
  readonly requestsPerSecond: number;
}

/** The two paths measured per campaign. */
interface CampaignPaths {
  readonly list: string;
  readonly detail: string;
}

async function measure(api: Api, path: string, token: string, seconds: number): Promise<Latency> {
  const url = `${api.baseUrl}${path}`;
  const result = await autocannon({
    url,
    connections: 4,
    duration: seconds,
    headers: authorization(token),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors of ${result.requests.sent}`);
  return { mean: result.latency.average, p99: result.latency.p99, requestsPerSecond: result.requests.average };
}

/**
 * Rounds each measurement is split into. The campaigns' order turns round every round (A B, B A, A B,
 * B A), so each is measured first as often as the other and a drift during the measurement (the
 * machine's other load) weighs on both alike.
 */
const ROUNDS = 4;
/** Seconds each URL is requested, unmeasured, before the rounds (the route's first requests compile it). */
const WARM_UP_SECONDS = 1;
/** Longest the measurement waits for autovacuum of the bench's database to finish. */
const QUIET_TIMEOUT_MS = 5 * 60_000;

/** Autovacuum workers busy in the bench's database now (the campaign run leaves millions of dead rows). */
async function autovacuumWorkers(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE backend_type = 'autovacuum worker' AND datname = current_database()`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/**
 * Waits until no autovacuum worker is busy in the bench's database (at most QUIET_TIMEOUT_MS): right
 * after the run PostgreSQL vacuums the rows it updated, which would slow whichever campaign is
 * measured first. Returns the seconds waited.
 */
async function untilVacuumed(db: Db): Promise<number> {
  const start = performance.now();
  while ((await autovacuumWorkers(db)) > 0 && performance.now() - start < QUIET_TIMEOUT_MS)
    await new Promise((r) => setTimeout(r, 500));
  return (performance.now() - start) / 1000;
}

/**
 * Each campaign's paths, checked once through the shared client before autocannon requests them
 * (a wrong path or token fails naming the call): the detail names the campaign, and the list page
 * holds it first.
 */
async function checkedPaths(api: Api, token: string, campaignIds: readonly number[]): Promise<CampaignPaths[]> {
  const paths = campaignIds.map((id) => ({
    list: `/api/campaigns?limit=1&cursor=${cursorBefore(id)}`,
    detail: `/api/campaigns/${id}`,
  }));
  for (const [k, id] of campaignIds.entries()) {
    const detail = await api.call<{ id: number }>('GET', paths[k]!.detail, token);
    const list = await api.call<{ items: { id: number }[] }>('GET', paths[k]!.list, token);
    if (detail.id !== id || list.items[0]?.id !== id) {
      throw new Error(`campaign ${id}: the detail names ${detail.id}, the list page starts with ${list.items[0]?.id}`);
    }
  }
  return paths;
}

export interface ApiLatency {
  /** Per campaign, in the order given: the rounds combined, and each round's (same round, same index). */
  readonly campaigns: { list: Latency; detail: Latency; rounds: Record<'list' | 'detail', Latency[]> }[];
  /** Seconds waited for autovacuum before measuring. */
  readonly vacuumWaitS: number;
}

/**
 * Detail (GET /api/campaigns/{id}) and a list page holding just that campaign (limit 1, cursor before
 * it) of each campaign: each checked once, then, once autovacuum is done, each URL warmed up, then
 * measured in ROUNDS rounds of seconds / ROUNDS each, the campaigns' order turning each round. Per
 * campaign, the mean of the rounds' means and req/s, the worst p99.
 */
export async function campaignApiLatency(
  db: Db,
  baseUrl: string,
  token: string,
  campaignIds: readonly number[],
  seconds: number,
): Promise<ApiLatency> {
  const api = backendApi(baseUrl);
  const paths = await checkedPaths(api, token, campaignIds);
  const endpoints = ['list', 'detail'] as const;
  const vacuumWaitS = await untilVacuumed(db);
  for (const path of paths)
    for (const endpoint of endpoints) await measure(api, path[endpoint], token, WARM_UP_SECONDS);
  const samples = paths.map(() => ({ list: [] as Latency[], detail: [] as Latency[] }));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [...paths.keys()] : [...paths.keys()].reverse();
    for (const k of order)
      for (const endpoint of endpoints)
        samples[k]![endpoint].push(await measure(api, paths[k]![endpoint], token, Math.max(1, seconds / ROUNDS)));
  }
  return {
    campaigns: samples.map((s) => ({ list: combined(s.list), detail: combined(s.detail), rounds: s })),
    vacuumWaitS,
  };
}

function combined(rounds: readonly Latency[]): Latency {
  const mean = (f: (l: Latency) => number) => rounds.reduce((sum, l) => sum + f(l), 0) / rounds.length;
  return {
    mean: mean((l) => l.mean),
    p99: Math.max(...rounds.map((l) => l.p99)),
    requestsPerSecond: mean((l) => l.requestsPerSecond),
  };
}
