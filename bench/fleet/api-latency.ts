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

/** Detail (GET /api/campaigns/{id}) and a list page holding just that campaign (limit 1, cursor before it). */
export async function campaignApiLatency(
  baseUrl: string,
  token: string,
  campaignId: number,
  seconds: number,
): Promise<{ list: Latency; detail: Latency }> {
  const list = await measure(`${baseUrl}/api/campaigns?limit=1&cursor=${cursorBefore(campaignId)}`, token, seconds);
  const detail = await measure(`${baseUrl}/api/campaigns/${campaignId}`, token, seconds);
  return { list, detail };
}
