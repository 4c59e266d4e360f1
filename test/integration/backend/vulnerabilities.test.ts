import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFleet } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
let sec: string;

const report = {
  title: 'BMS diagnostic session bypass',
  description: 'SecurityAccess seed is predictable',
  reporter: 'Jane Researcher',
  reporterKind: 'researcher',
  reporterContact: 'jane@example.org',
  attackVectorNote: 'OBD port',
  impactNote: 'reprogramming without authorisation',
  intrusionLevel: 'physical',
  affected: [{ hardwareId: 'HW-BMS-1', versions: ['1.0.0', '1.0.1'] }],
};

async function move(id: number, to: string, extra: Record<string, unknown> = {}) {
  return h.call('POST', `/api/vulnerabilities/${id}/transitions`, sec, { to, reason: `to ${to}`, ...extra });
}

beforeAll(async () => {
  h = await createHarness();
  sec = (await h.user(['security_engineer'])).token;
  await seedFleet(h.db, { count: 40, modelId: 'm1', hardwareId: 'HW-BMS-1', version: '1.0.0' });
  await seedFleet(h.db, { count: 5, modelId: 'm1', hardwareId: 'HW-BMS-1', version: '2.0.0', prefix: 'WVWZZZ2K' });
  await seedFleet(h.db, { count: 7, modelId: 'm1', hardwareId: 'HW-OTHER', version: '1.0.0', prefix: 'WVWZZZ3K' });
});
afterAll(() => h.destroy());

describe('vulnerability handling', () => {
  it('follows received -> reviewing -> assessing -> addressing -> disclosed -> closed with deadline and count', async () => {
    const created = await h.call('POST', '/api/vulnerabilities', sec, report);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ phase: 'received', affectedVehicles: 40, cvss: null, deadlineAt: null });
    const id = created.body.id as number;

    expect((await move(id, 'reviewing')).body.phase).toBe('reviewing');
    const confirmed = await move(id, 'assessing');
    expect(confirmed.body.confirmedAt).toEqual(expect.any(String));

    const early = await move(id, 'addressing');
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/assessment first/);

    const assessed = await h.call('PUT', `/api/vulnerabilities/${id}/assessment`, sec, {
      cvssVector: 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      exploitAvailable: false,
      workaroundExists: false,
      safetyRelevant: true,
      rootCause: 'weak RNG',
    });
    expect(assessed.status).toBe(200);
    expect(assessed.body.cvss).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      score: 6.8,
      severity: 'medium',
      scores: { base: 6.8, temporal: null, environmental: null },
    });
    expect(assessed.body.deliveryClass).toBe('scheduled');
    const days = (Date.parse(assessed.body.deadlineAt) - Date.parse(confirmed.body.confirmedAt)) / 86_400_000;
    expect(days).toBe(90);
    expect(assessed.body.daysLeft).toBe(89);

    expect((await move(id, 'addressing')).body.phase).toBe('addressing');
    expect((await move(id, 'disclosed', { advisory: 'OTA-2026-001' })).body.detail).toMatch(/remediation first/);
    const future = new Date(Date.now() + 7 * 86_400_000).toISOString();
    await h.call('PUT', `/api/vulnerabilities/${id}/remediation`, sec, {
      kind: 'software_patch',
      note: 'BMS 1.1.0',
      embargoUntil: future,
    });
    const embargoed = await move(id, 'disclosed', { advisory: 'OTA-2026-001' });
    expect(embargoed.status).toBe(409);
    expect(embargoed.body.detail).toMatch(/embargoed until/);
    await h.call('PUT', `/api/vulnerabilities/${id}/remediation`, sec, {
      kind: 'software_patch',
      note: 'BMS 1.1.0',
      embargoUntil: null,
    });
    expect((await move(id, 'disclosed')).body.errors[0].field).toBe('json.advisory');
    const disclosed = await move(id, 'disclosed', { advisory: 'OTA-2026-001' });
    expect(disclosed.body).toMatchObject({ phase: 'disclosed', advisory: 'OTA-2026-001' });
    expect((await move(id, 'closed')).body.phase).toBe('closed');

    const audit = await h.call('GET', `/api/audit?entityType=vulnerability&entityId=${id}&limit=100`, h.adminToken);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'vulnerability.report',
      'vulnerability.reviewing',
      'vulnerability.assessing',
      'vulnerability.assess',
      'vulnerability.addressing',
      'vulnerability.remediation',
      'vulnerability.remediation',
      'vulnerability.disclosed',
      'vulnerability.closed',
    ]);
  });

  it('refuses illegal phase transitions with problem+json naming both phases', async () => {
    const id = (await h.call('POST', '/api/vulnerabilities', sec, report)).body.id as number;
    for (const to of ['assessing', 'addressing', 'disclosed', 'closed', 'needs_info', 'received']) {
      const res = await move(id, to);
      expect(res.status, to).toBe(409);
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body).toMatchObject({ from: 'received', to });
    }
    await move(id, 'reviewing');
    expect((await move(id, 'needs_info')).body.phase).toBe('needs_info');
    expect((await move(id, 'reviewing')).body.phase).toBe('reviewing');
    expect((await move(id, 'rejected')).body.errors[0].field).toBe('json.rejectionReason');
    expect((await move(id, 'rejected', { rejectionReason: 'duplicate' })).body).toMatchObject({
      phase: 'rejected',
      rejectionReason: 'duplicate',
    });
    expect((await move(id, 'reviewing')).status).toBe(409);
  });

  it('puts critical, exploited issues on the 30-day class and accepts v4.0 vectors', async () => {
    const id = (await h.call('POST', '/api/vulnerabilities', sec, report)).body.id as number;
    await move(id, 'reviewing');
    await move(id, 'assessing');
    const res = await h.call('PUT', `/api/vulnerabilities/${id}/assessment`, sec, {
      cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      exploitAvailable: true,
      workaroundExists: false,
      safetyRelevant: false,
      affected: [{ hardwareId: 'HW-BMS-1', versions: ['2.0.0'] }],
    });
    expect(res.body).toMatchObject({
      cvss: { version: '4.0', score: 9.3, severity: 'critical' },
      deliveryClass: 'urgent',
      affectedVehicles: 5,
    });
    const bad = await h.call('PUT', `/api/vulnerabilities/${id}/assessment`, sec, {
      cvssVector: "CVSS:3.1/AV:N'--",
      exploitAvailable: true,
      workaroundExists: false,
      safetyRelevant: false,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('json.cvssVector');
    expect((await h.call('GET', `/api/vulnerabilities/${id}`, sec)).body.cvss.score).toBe(9.3);
  });

  it('accepts v4.0 threat, environmental and supplemental metrics and v3.1 temporal/environmental ones', async () => {
    const id = (await h.call('POST', '/api/vulnerabilities', sec, report)).body.id as number;
    await move(id, 'reviewing');
    await move(id, 'assessing');
    const assess = (cvssVector: string, reason?: string) =>
      h.call('PUT', `/api/vulnerabilities/${id}/assessment`, sec, {
        cvssVector,
        exploitAvailable: false,
        workaroundExists: false,
        safetyRelevant: true,
        reason,
      });
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L/IR:L/AR:L/MAV:A/S:P/R:A/U:Red';
    const res4 = await assess(v4);
    expect(res4.status).toBe(200);
    expect(res4.body.cvss).toEqual({
      version: '4.0',
      vector: v4,
      score: 4.5,
      severity: 'medium',
      nomenclature: 'CVSS-BTE',
    });
    const v31 = 'CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H/E:F/RL:T/RC:R/AR:L/MAV:L/MC:N';
    const unexplained = await assess(v31);
    expect(unexplained.status).toBe(422);
    expect(unexplained.body.errors[0].field).toBe('json.reason');
    expect((await h.call('GET', `/api/vulnerabilities/${id}`, sec)).body.cvss.vector).toBe(v4);
    const res31 = await assess(v31, 'vendor confirmed a local attack path only');
    expect(res31.body.cvss).toEqual({
      version: '3.1',
      vector: v31,
      score: 5.0,
      severity: 'medium',
      scores: { base: 7.1, temporal: 6.4, environmental: 5.0 },
    });
    expect((await h.call('GET', `/api/vulnerabilities/${id}`, sec)).body.cvss.scores.temporal).toBe(6.4);
  });

  it('refuses an assessment outside assessing/addressing', async () => {
    const id = (await h.call('POST', '/api/vulnerabilities', sec, report)).body.id as number;
    const res = await h.call('PUT', `/api/vulnerabilities/${id}/assessment`, sec, {
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      exploitAvailable: false,
      workaroundExists: false,
      safetyRelevant: false,
    });
    expect(res.status).toBe(409);
  });

  it('lists by phase', async () => {
    const res = await h.call('GET', '/api/vulnerabilities?phase=received', sec);
    expect(res.status).toBe(200);
    expect(res.body.items.every((v: { phase: string }) => v.phase === 'received')).toBe(true);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect((await h.call('GET', '/api/vulnerabilities?phase=bogus', sec)).body.errors[0].field).toBe('query.phase');
  });
});
