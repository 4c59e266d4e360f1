// Campaign list and detail latency over HTTP (autocannon) against a running backend, for campaigns of
// different sizes in the same database, so the bench can say how latency grows with the targets.
import autocannon from 'autocannon';
import { cursorBefore } from '../campaign-list.bench.ts';

export interface Latency {
  /** Mean and 99th percentile, ms. */
  readonly mean: number;
  readonly p99: number;
  readonly requestsPerSecond: number;
}

async function measure(url: string, token: string, seconds: number): Promise<Latency> {
  const result = await autocannon({
    url,
    connections: 4,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors of ${result.requests.sent}`);
  return { mean: result.latency.average, p99: result.latency.p99, requestsPerSecond: result.requests.average };
}

/** Rounds each measurement is split into, alternating the campaigns, so neither gains from going second. */
const ROUNDS = 2;

/**
 * Detail (GET /api/campaigns/{id}) and a list page holding just that campaign (limit 1, cursor before
 * it) of each campaign, measured in alternating rounds of seconds / ROUNDS each: per campaign, the mean
 * of the rounds' means and req/s, the worst p99.
 */
export async function campaignApiLatency(
  baseUrl: string,
  token: string,
  campaignIds: readonly number[],
  seconds: number,
): Promise<{ list: Latency; detail: Latency }[]> {
  const urls = campaignIds.map((id) => ({
    list: `${baseUrl}/api/campaigns?limit=1&cursor=${cursorBefore(id)}`,
    detail: `${baseUrl}/api/campaigns/${id}`,
  }));
  const samples = urls.map(() => ({ list: [] as Latency[], detail: [] as Latency[] }));
  for (let round = 0; round < ROUNDS; round++)
    for (const [k, url] of urls.entries())
      for (const endpoint of ['list', 'detail'] as const)
        samples[k]![endpoint].push(await measure(url[endpoint], token, Math.max(1, seconds / ROUNDS)));
  return samples.map((s) => ({ list: combined(s.list), detail: combined(s.detail) }));
}

function combined(rounds: readonly Latency[]): Latency {
  const mean = (f: (l: Latency) => number) => rounds.reduce((sum, l) => sum + f(l), 0) / rounds.length;
  return {
    mean: mean((l) => l.mean),
    p99: Math.max(...rounds.map((l) => l.p99)),
    requestsPerSecond: mean((l) => l.requestsPerSecond),
  };
}
