// The delivery deadline follows the CVSS score in the worst context the fleet has the affected
// ECUs in (ASIL and exposure recorded per ECU), not the base score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFleet } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
let sec: string;
const BASE = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L'; // 7.3, high

async function assessed(affected: { hardwareId: string; versions: string[] }[]) {
  const created = await h.call('POST', '/api/vulnerabilities', sec, {
    title: 'Diagnostic service overflow',
    reporter: 'Supplier PSIRT',
    reporterKind: 'supplier',
    affected,
  });
  const id = created.body.id as number;
  for (const to of ['reviewing', 'assessing']) {
    await h.call('POST', `/api/vulnerabilities/${id}/transitions`, sec, { to, reason: to });
  }
  const res = await h.call('PUT', `/api/vulnerabilities/${id}/assessment`, sec, {
    cvssVector: BASE,
    exploitAvailable: false,
    workaroundExists: false,
    safetyRelevant: false,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const days = (v: { deadlineAt: string; confirmedAt: string }) =>
  (Date.parse(v.deadlineAt) - Date.parse(v.confirmedAt)) / 86_400_000;
const contexts = (v: {
  cvssContexts: {
    modelId: string;
    hardwareId: string;
    asil: string;
    exposure: string;
    vehicles: number;
    cvss: { vector: string; score: number };
  }[];
}) =>
  v.cvssContexts.map(
    (c) =>
      `${c.modelId} ${c.hardwareId} ${c.asil}/${c.exposure} x${c.vehicles}: ${c.cvss.score} ${c.cvss.vector.slice(BASE.length)}`,
  );

beforeAll(async () => {
  h = await createHarness();
  sec = (await h.user(['security_engineer'])).token;
  await seedFleet(h.db, { count: 6, modelId: 'm1', hardwareId: 'HW-BODY', asil: 'QM', exposure: 'internal_bus' });
  await seedFleet(h.db, {
    count: 2,
    modelId: 'm2',
    hardwareId: 'HW-EPS',
    asil: 'D',
    exposure: 'internal_bus',
    prefix: 'WVWZZZ2K',
  });
  await seedFleet(h.db, {
    count: 3,
    modelId: 'm2',
    hardwareId: 'HW-TCU',
    asil: 'QM',
    exposure: 'connected',
    prefix: 'WVWZZZ3K',
  });
});
afterAll(() => h.destroy());

describe('contextual CVSS', () => {
  it('internal-bus-only QM ECUs: the environmental score (medium) sets a scheduled deadline, not the base (high)', async () => {
    const v = await assessed([{ hardwareId: 'HW-BODY', versions: ['1.0.0'] }]);
    expect(v.cvss).toMatchObject({ score: 7.3, severity: 'high' });
    expect(contexts(v)).toEqual(['m1 HW-BODY QM/internal_bus x6: 6.3 /MAV:A']);
    expect(v.contextualCvss).toMatchObject({
      score: 6.3,
      severity: 'medium',
      scores: { base: 7.3, environmental: 6.3 },
    });
    expect(v.deliveryClass).toBe('scheduled');
    expect(days(v)).toBe(90);
  });

  it('the worst context decides: an ASIL D ECU beside QM ones makes it expedited; every context is listed', async () => {
    const v = await assessed([
      { hardwareId: 'HW-BODY', versions: ['1.0.0'] },
      { hardwareId: 'HW-EPS', versions: ['1.0.0'] },
      { hardwareId: 'HW-TCU', versions: ['1.0.0'] },
    ]);
    expect(contexts(v)).toEqual([
      'm2 HW-TCU QM/connected x3: 7.3 ',
      'm2 HW-EPS D/internal_bus x2: 7.1 /IR:H/AR:H/MAV:A',
      'm1 HW-BODY QM/internal_bus x6: 6.3 /MAV:A',
    ]);
    expect(v.contextualCvss.score).toBe(7.3);
    expect(v.deliveryClass).toBe('expedited');
    expect(days(v)).toBe(60);
    const read = await h.call('GET', `/api/vulnerabilities/${v.id}`, sec);
    expect(contexts(read.body)).toEqual(contexts(v));
  });

  it('ECUs registered through the fleet API carry their exposure; a wrong value is refused naming the field', async () => {
    const admin = h.adminToken;
    const vehicle = (exposure: unknown) => ({
      vin: 'WVWZZZ9KZ00000001',
      modelId: 'm1',
      modelYear: 2025,
      region: 'EU',
      ecus: [{ serial: 'E1', name: 'eps', hardwareId: 'HW-EPS', installedVersion: '1.0.0', asil: 'D', exposure }],
    });
    const bad = await h.call('POST', '/api/vehicles', admin, vehicle('wifi'));
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/ecus\.0\.exposure/);
    const ok = await h.call('POST', '/api/vehicles', admin, vehicle('connected'));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.ecus[0].exposure).toBe('connected');
    const row = await h.db
      .selectFrom('ecus')
      .select('exposure')
      .where('vin', '=', 'WVWZZZ9KZ00000001')
      .executeTakeFirst();
    expect(row?.exposure).toBe('connected');
  });
});
