// The campaign calls a user makes, over HTTP against a running backend: what the fleet bench drives and times.
import { backendApi } from '../../test/support/backend-api.ts';
import { seriesValue } from '../../test/support/prometheus.ts';
import type { BenchFleet, BenchUsers } from './seed.ts';

/** A one-wave draft campaign of `releaseId` for every vehicle with the fleet's hardware; its id. */
export async function createFleetCampaign(
  baseUrl: string,
  users: BenchUsers,
  fleet: BenchFleet,
  releaseId: number,
): Promise<number> {
  const body = {
    name: `fleet bench ${fleet.prefix} (${fleet.size})`,
    kind: 'bug_fix',
    releaseIds: [releaseId],
    targetFilter: { hardwareIds: [fleet.hardwareId] },
    installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
    waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1, soakMinutes: 0 }],
    pacingPerMinute: 1_000_000,
  };
  return (await backendApi(baseUrl).call<{ id: number }>('POST', '/api/campaigns', users.manager, body, 201)).id;
}

export type BenchAction = 'submit' | 'approve' | 'start';

/** A campaign action as its user makes it (the approver approves, the manager does the rest); the new state. */
export async function campaignAction(
  baseUrl: string,
  users: BenchUsers,
  campaignId: number,
  action: BenchAction,
): Promise<{ state: string; targetedVehicles: number }> {
  const token = action === 'approve' ? users.approver : users.manager;
  return backendApi(baseUrl).call('POST', `/api/campaigns/${campaignId}/${action}`, token, {
    reason: `fleet bench: ${action}`,
  });
}

/** The campaign's state and its vehicles per state (GET .../progress: the state counts, O(1) in fleet size). */
export async function campaignProgress(
  baseUrl: string,
  users: BenchUsers,
  campaignId: number,
): Promise<{ state: string; byState: Record<string, number> }> {
  return backendApi(baseUrl).call('GET', `/api/campaigns/${campaignId}/progress`, users.manager);
}

/** One series of the instance's `GET /metrics` (Prometheus text, no token); undefined when it has none. */
export async function metricValue(baseUrl: string, series: string): Promise<number | undefined> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return seriesValue(await response.text(), series);
}
