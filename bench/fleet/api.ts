// The campaign calls a user makes, over HTTP against a running backend: what the fleet bench drives and times.
import type { BenchFleet, BenchUsers } from './seed.ts';

async function call(baseUrl: string, token: string, method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as unknown;
}

/** A one-wave draft campaign of `releaseId` for every vehicle with the fleet's hardware; its id. */
export async function createFleetCampaign(
  baseUrl: string,
  users: BenchUsers,
  fleet: BenchFleet,
  releaseId: number,
): Promise<number> {
  const created = (await call(baseUrl, users.manager, 'POST', '/api/campaigns', {
    name: `fleet bench ${fleet.prefix} (${fleet.size})`,
    kind: 'bug_fix',
    releaseIds: [releaseId],
    targetFilter: { hardwareIds: [fleet.hardwareId] },
    installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
    waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1, soakMinutes: 0 }],
    pacingPerMinute: 1_000_000,
  })) as { id: number };
  return created.id;
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
  return (await call(baseUrl, token, 'POST', `/api/campaigns/${campaignId}/${action}`, {
    reason: `fleet bench: ${action}`,
  })) as { state: string; targetedVehicles: number };
}

/** The campaign's state and its vehicles per state (GET .../progress: the state counts, O(1) in fleet size). */
export async function campaignProgress(
  baseUrl: string,
  users: BenchUsers,
  campaignId: number,
): Promise<{ state: string; byState: Record<string, number> }> {
  const res = await fetch(`${baseUrl}/api/campaigns/${campaignId}/progress`, {
    headers: { authorization: `Bearer ${users.manager}` },
  });
  if (!res.ok) throw new Error(`GET progress of campaign ${campaignId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { state: string; byState: Record<string, number> };
}
