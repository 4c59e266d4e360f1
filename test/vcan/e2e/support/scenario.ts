// The people and the paperwork of the scenario, all through the backend's REST API as the roles would do it:
// users with their roles, the vulnerability report and assessment, releases tested and authorised, the fleet.
import { createHash } from 'node:crypto';
import type { Api } from '../../../support/backend-api.ts';
import type { TestImage, TestVehicle } from './fleet.ts';

export interface Team {
  /** Security engineer: reports and assesses the vulnerability. */
  security: string;
  /** Release engineer: uploads and tests releases. */
  releaseEngineer: string;
  /** Campaign manager (and approver): registers the fleet, creates and starts the campaign. */
  manager: string;
  /** Approver: authorises releases and approves the campaign (never its creator). */
  approver: string;
  auditor: string;
  names: { manager: string; approver: string };
}

export async function createTeam(api: Api, adminToken: string): Promise<Team> {
  const user = async (name: string, ...roles: string[]): Promise<string> => {
    const { id } = await api.call<{ id: number }>('POST', '/api/users', adminToken, { name, roles }, 201);
    const { token } = await api.call<{ token: string }>(
      'POST',
      `/api/users/${id}/tokens`,
      adminToken,
      { name: 'e2e' },
      201,
    );
    return token;
  };
  return {
    security: await user('sam-security', 'security_engineer'),
    releaseEngineer: await user('rita-release', 'release_engineer'),
    // Also an approver: so that only the four-eyes rule keeps him from approving his own campaign.
    manager: await user('carl-campaigns', 'campaign_manager', 'approver'),
    approver: await user('ada-approver', 'approver'),
    auditor: await user('otto-auditor', 'auditor'),
    names: { manager: 'carl-campaigns', approver: 'ada-approver' },
  };
}

export const VULNERABILITY_TITLE = 'ECM and BCM accept a SecurityAccess key after the lockout';

/** Reported, triaged, assessed (CVSS 3.1), remediation planned, being addressed. Returns its id. */
export async function reportVulnerability(
  api: Api,
  team: Team,
  affected: { hardwareId: string; versions: string[] }[],
): Promise<number> {
  const { id } = await api.call<{ id: number }>(
    'POST',
    '/api/vulnerabilities',
    team.security,
    {
      title: VULNERABILITY_TITLE,
      description: 'The failed-attempt counter is not checked before the key comparison.',
      reporter: 'Jane Researcher',
      reporterKind: 'researcher',
      affected,
    },
    201,
  );
  const move = (to: string, reason: string) =>
    api.call('POST', `/api/vulnerabilities/${id}/transitions`, team.security, { to, reason });
  await move('reviewing', 'triage');
  await move('assessing', 'reproduced on the bench');
  await api.call('PUT', `/api/vulnerabilities/${id}/assessment`, team.security, {
    cvssVector: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    exploitAvailable: false,
    workaroundExists: false,
    safetyRelevant: false,
    rootCause: 'lockout checked after the comparison',
  });
  await api.call('PUT', `/api/vulnerabilities/${id}/remediation`, team.security, {
    kind: 'software_patch',
    note: 'ECM 2.4.2 and BCM 1.7.1',
  });
  await move('addressing', 'patch in progress');
  return id;
}

const evidence = (ref: string) => ({
  reportRef: ref,
  logSha256: createHash('sha256').update(`test log of ${ref}`).digest('hex'),
});

/** A release of one image through its whole lifecycle up to `authorized`. Returns its id. */
export async function authoriseRelease(
  api: Api,
  team: Team,
  o: { hardwareId: string; image: TestImage; fixes: number[] },
): Promise<number> {
  const { id } = await api.call<{ id: number }>(
    'POST',
    '/api/releases',
    team.releaseEngineer,
    { hardwareId: o.hardwareId, version: o.image.version, supplier: 'Simulated Supplier', fixes: o.fixes },
    201,
  );
  const uploaded = await api.upload<{ images: { sha256: string }[] }>(
    `/api/releases/${id}/images?fileName=${o.hardwareId}-${o.image.version}.bin`,
    team.releaseEngineer,
    o.image.bytes,
  );
  if (uploaded.images[0]?.sha256 !== o.image.sha256) throw new Error(`release ${id}: the stored image differs`);
  const move = (to: string, reason: string, withEvidence = false) =>
    api.call('POST', `/api/releases/${id}/transitions`, team.releaseEngineer, {
      to,
      reason,
      ...(withEvidence ? { evidence: evidence(`TR-${o.hardwareId}-${o.image.version}`) } : {}),
    });
  await move('in_test', 'supplier test');
  await move('approved', 'supplier test passed', true);
  await move('released', 'shipped to the OEM');
  await move('in_internal_test', 'HIL test');
  await api.call('POST', `/api/releases/${id}/authorization`, team.approver, {
    decision: 'authorized',
    reason: 'HIL test passed',
    evidence: evidence(`HIL-${o.hardwareId}-${o.image.version}`),
  });
  return id;
}

/** The vehicle as the OEM's fleet database knows it, with its gateway's key. */
export async function registerVehicle(api: Api, team: Team, v: TestVehicle, modelId: string): Promise<void> {
  await api.call(
    'POST',
    '/api/vehicles',
    team.manager,
    {
      vin: v.vin,
      modelId,
      modelYear: 2025,
      region: 'EU',
      tags: ['e2e'],
      gatewayPublicKey: v.gatewayPublicKeyBase64,
      timeZone: 'UTC',
      ecus: v.definition.ecus.map((e) => ({
        serial: e.identification.serialNumber,
        name: e.name,
        hardwareId: e.identification.hardwareId,
        installedVersion: e.simulation.softwareVersion,
      })),
    },
    201,
  );
}
