// The whole system, end to end, as separate processes over SocketCAN (inside user-mode Linux when the host has
// no CAN): a vulnerability is reported and assessed, fixed releases of two ECUs (ecm, single-bank; bcm,
// dual-bank) are authorised, a campaign for three vehicles is created by one user and approved by another
// through the backend's REST API and rolls out in two waves over MQTT. Each vehicle is a gateway process with
// its own ecu-sim process on its own vcan interface. Two vehicles update with delta packages; on the third the
// bcm fails mid-flash (an injected NRC 0x72 on TransferData) and the ecm, already updated, is rolled back.
// Afterwards the campaign's report, the backend's inventories, the ECUs' own answers over UDS and the evidence
// export must all tell the same story. The rollout itself is in support/rollout.ts.
//
// scripts/with-vcan --vcan 4 --services -- node_modules/.bin/vitest run --project vcan test/vcan/e2e
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readEcuAnswers, type EcuAnswer } from './support/ecus.ts';
import type { TestVehicle } from './support/fleet.ts';
import { backendInventory, E2eRun, expectedAfter, UPDATED_ECUS, type Rollout } from './support/rollout.ts';
import { VULNERABILITY_TITLE } from './support/scenario.ts';

const e2e = new E2eRun();
let rollout: Rollout | undefined;

beforeAll(async () => {
  try {
    rollout = await e2e.rollout();
  } catch (err) {
    e2e.failed = true;
    throw err;
  }
}, 900_000);

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') e2e.failed = true;
});

afterAll(() => e2e.dispose(), 120_000);

function need(): Rollout {
  if (!rollout) throw new Error('the rollout did not run (see the error of beforeAll)');
  return rollout;
}

describe('a security campaign over vcan, end to end', () => {
  it('completes both waves: two vehicles succeeded, the faulty one rolled back', async () => {
    const r = need();
    const campaign = await r.api.call<{ state: string; createdBy: number; approvedBy: number; currentWave: number }>(
      'GET',
      `/api/campaigns/${r.campaignId}`,
      r.team.auditor,
    );
    expect(campaign).toMatchObject({ state: 'completed', approvedBy: r.approverId, currentWave: 2 });
    expect(campaign.createdBy).not.toBe(campaign.approvedBy);
    const progress = await r.api.call<{
      total: number;
      byState: Record<string, number>;
      waves: { waveNo: number; total: number; succeeded: number; failed: number }[];
    }>('GET', `/api/campaigns/${r.campaignId}/progress`, r.team.auditor);
    expect(progress.total).toBe(3);
    expect(progress.byState).toEqual({ succeeded: 2, rolled_back: 1 });
    expect(progress.waves.map((w) => [w.waveNo, w.total, w.succeeded, w.failed])).toEqual([
      [1, 1, 1, 0],
      [2, 2, 1, 1],
    ]);
    const vehicles = await r.api.call<{ items: { vin: string; waveNo: number; state: string }[] }>(
      'GET',
      `/api/campaigns/${r.campaignId}/vehicles?limit=10`,
      r.team.auditor,
    );
    expect(Object.fromEntries(vehicles.items.map((v) => [v.vin, [v.waveNo, v.state]]))).toEqual(
      Object.fromEntries(
        r.vehicles.map((v) => [v.vin, [r.waveOf.get(v.vin), v.vin === r.faultyVin ? 'rolled_back' : 'succeeded']]),
      ),
    );
  });

  it('delivered delta packages: each gateway fetched the deltas the Director assigned, never a whole image', () => {
    const r = need();
    for (const v of r.vehicles) {
      const assigned = r.wire.assignments(v.vin);
      expect([...assigned.keys()].sort(), v.vin).toEqual(UPDATED_ECUS.map((u) => v.serial(u.ecu)).sort());
      const deltas = new Set<string>();
      for (const u of UPDATED_ECUS) {
        const a = assigned.get(v.serial(u.ecu))!;
        const img = r.images.get(u.ecu)!;
        expect(a.imageSha256).toBe(img.fixed!.sha256);
        expect(a.delta, `${v.vin} ${u.ecu}`).not.toBeNull();
        expect(a.delta!.baseSha256).toBe(img.factory.sha256);
        expect(a.delta!.length).toBeLessThan(a.imageLength / 4);
        deltas.add(a.delta!.sha256);
      }
      expect(r.wire.fetchedBlobs(v.vin), v.vin).toEqual(deltas);
    }
  });

  it("holds each vehicle's inventory as its gateway reported it: the fixed versions, the factory ones where rolled back", async () => {
    const r = need();
    for (const v of r.vehicles) {
      expect(await backendInventory(r.api, r.team.auditor, v), v.vin).toEqual(expectedAfter(r, v));
    }
  });

  it('the ECUs themselves answer over UDS (F189, F1A0) exactly what the backend holds', async () => {
    const r = need();
    for (const v of r.vehicles) {
      const answers: EcuAnswer[] = await readEcuAnswers(v.definition, v.iface);
      expect(answers, v.vin).toEqual(expectedAfter(r, v));
      expect(answers, v.vin).toEqual(await backendInventory(r.api, r.team.auditor, v));
    }
  });

  it('exports the evidence: vulnerability, approvals, and versions before and after per vehicle and ECU', async () => {
    const r = need();
    const evidence = JSON.parse(
      await r.api.text(`/api/campaigns/${r.campaignId}/evidence?format=json`, r.team.auditor),
    ) as {
      campaign: { id: number; createdByName: string; approvedByName: string; vulnerabilityIds: number[] };
      vulnerabilities: {
        id: number;
        title: string;
        phase: string;
        cvss: unknown;
        auditTrail: { action: string }[];
      }[];
      releases: { id: number; hardwareId: string; version: string; state: string; fixes: number[] }[];
      auditTrail: { action: string; actor: string }[];
      vehicles: {
        vin: string;
        waveNo: number;
        state: string;
        ecus: {
          serial: string;
          fromVersion: string;
          toVersion: string;
          result: string;
          nrc: string | null;
          bytesOnBus: number | null;
        }[];
      }[];
    };
    expect(evidence.campaign).toMatchObject({
      id: r.campaignId,
      createdByName: r.team.names.manager,
      approvedByName: r.team.names.approver,
      vulnerabilityIds: [r.vulnerabilityId],
    });
    expect(evidence.vulnerabilities.map((v) => [v.id, v.title, v.phase])).toEqual([
      [r.vulnerabilityId, VULNERABILITY_TITLE, 'addressing'],
    ]);
    expect(evidence.vulnerabilities[0]!.cvss).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      score: 8.8,
      scores: { base: 8.8, temporal: null, environmental: null },
      severity: 'high',
    });
    expect(evidence.vulnerabilities[0]!.auditTrail.map((a) => a.action)).toEqual(
      expect.arrayContaining(['vulnerability.assess']),
    );
    expect(evidence.releases.map((x) => [x.id, x.hardwareId, x.version, x.fixes])).toEqual(
      UPDATED_ECUS.map((u, i) => [
        r.fixedReleaseIds[i],
        r.images.get(u.ecu)!.hardwareId,
        u.fixedVersion,
        [r.vulnerabilityId],
      ]),
    );
    // Who did what: carl created, submitted and started it; ada approved it (carl's own approval was refused).
    const byAction = (action: string) => evidence.auditTrail.filter((a) => a.action === action).map((a) => a.actor);
    const carl = expect.stringMatching(new RegExp(`:${r.team.names.manager}$`));
    const ada = expect.stringMatching(new RegExp(`:${r.team.names.approver}$`));
    expect(byAction('campaign.create')).toEqual([carl]);
    expect(byAction('campaign.submit')).toEqual([carl]);
    expect(byAction('campaign.approve')).toEqual([ada]);
    expect(byAction('campaign.start')).toEqual([carl]);
    const ecuRow = (v: TestVehicle, u: (typeof UPDATED_ECUS)[number], result: string, nrc: string | null) => ({
      serial: v.serial(u.ecu),
      fromVersion: r.images.get(u.ecu)!.factory.version,
      toVersion: u.fixedVersion,
      result,
      nrc,
    });
    const byVin = new Map(evidence.vehicles.map((v) => [v.vin, v]));
    expect([...byVin.keys()].sort()).toEqual(r.vehicles.map((v) => v.vin).sort());
    for (const v of r.vehicles) {
      const row = byVin.get(v.vin)!;
      const faulty = v.vin === r.faultyVin;
      expect(row.waveNo).toBe(r.waveOf.get(v.vin));
      expect(row.state).toBe(faulty ? 'rolled_back' : 'succeeded');
      const ecus = row.ecus.map((e) => ({
        serial: e.serial,
        fromVersion: e.fromVersion,
        toVersion: e.toVersion,
        result: e.result,
        nrc: e.nrc,
      }));
      // What went over the bus for an ECU that succeeded: a delta or the changed sectors, never the whole image.
      for (const u of faulty ? [] : UPDATED_ECUS) {
        const bytesOnBus = row.ecus.find((e) => e.serial === v.serial(u.ecu))?.bytesOnBus;
        expect(bytesOnBus, `${v.vin} ${u.ecu}`).toBeGreaterThan(0);
        expect(bytesOnBus, `${v.vin} ${u.ecu}`).toBeLessThan(r.images.get(u.ecu)!.fixed!.bytes.length / 2);
      }
      const [ecm, bcm] = UPDATED_ECUS;
      expect(ecus, v.vin).toEqual(
        [
          ecuRow(v, ecm, faulty ? 'rolled_back' : 'succeeded', null),
          ecuRow(v, bcm, faulty ? 'failed' : 'succeeded', faulty ? '0x72' : null),
        ].sort((a, b) => a.serial.localeCompare(b.serial)),
      );
    }
    const csv = await r.api.text(`/api/campaigns/${r.campaignId}/evidence?format=csv`, r.team.auditor);
    expect(csv.trim().split('\r\n')).toHaveLength(1 + 3 * UPDATED_ECUS.length);
    const audit = await r.api.call<{ ok: boolean }>('GET', '/api/audit/verify', r.team.auditor);
    expect(audit.ok).toBe(true);
  });
});
