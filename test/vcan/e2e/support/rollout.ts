// The scenario's rollout, from nothing to a finished campaign: the processes (one backend; per vehicle an ecu-sim
// and a gateway on its own vcan), the people's steps through the REST API, the injected fault, and the waits
// until the campaign completed and the backend holds every vehicle's new version manifest.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { backendApi, type Api } from '../../../support/backend-api.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { prepareBackend, startBackendProcess } from './backend.ts';
import { controlCommand } from './ecus.ts';
import {
  createTestVehicle,
  ecuSimArgs,
  factoryImage,
  fixedImage,
  provisionGateway,
  regionSize,
  type TestImage,
  type TestVehicle,
} from './fleet.ts';
import { ProcessGroup, type ManagedProcess } from './processes.ts';
import { authoriseRelease, createTeam, registerVehicle, reportVulnerability, type Team } from './scenario.ts';
import { watchWire, type WireLog } from './wire.ts';

/** The two ECUs the fixed release updates, in the order the gateway flashes them (the vehicle file's). */
export const UPDATED_ECUS = [
  { ecu: 'ecm', fixedVersion: '2.4.2' },
  { ecu: 'bcm', fixedVersion: '1.7.1' },
] as const;
export const FAULT = 'bcm/nrc:0x72@transferData#1';
export const MODEL_ID = 'e2e-sedan';

/** What the rollout left behind for the checks. */
export interface Rollout {
  api: Api;
  team: Team;
  vehicles: TestVehicle[];
  wire: WireLog;
  vulnerabilityId: number;
  /** Per ECU name: the image every vehicle left the factory with and the fixed one. */
  images: Images;
  fixedReleaseIds: number[];
  campaignId: number;
  approverId: number;
  faultyVin: string;
  waveOf: Map<string, number>;
}

export type Images = Map<string, { hardwareId: string; factory: TestImage; fixed: TestImage | null }>;
export type Running = { ecu: string; version: string; sha256: string }[];

/** What each ECU of a vehicle runs: the factory images, or after the campaign the fixed ones unless `rolledBack`. */
function expectedRunning(v: TestVehicle, images: Images, phase: 'before' | 'after', rolledBack = false): Running {
  return v.definition.ecus.map((e) => {
    const img = images.get(e.name)!;
    const running = phase === 'after' && !rolledBack && img.fixed ? img.fixed : img.factory;
    return { ecu: e.name, version: running.version, sha256: running.sha256 };
  });
}

export const expectedAfter = (r: Rollout, v: TestVehicle) =>
  expectedRunning(v, r.images, 'after', v.vin === r.faultyVin);

interface BackendVehicle {
  ecus: { serial: string; installedVersion: string; imageSha256: string | null }[];
}

/** The vehicle's ECUs as the backend's fleet API lists them, in the vehicle file's order. */
export async function backendInventory(api: Api, token: string, v: TestVehicle): Promise<Running> {
  const row = await api.call<BackendVehicle>('GET', `/api/vehicles/${v.vin}`, token);
  return v.definition.ecus.map((e) => {
    const ecu = row.ecus.find((x) => x.serial === e.identification.serialNumber);
    return { ecu: e.name, version: ecu?.installedVersion ?? '(missing)', sha256: ecu?.imageSha256 ?? '(none)' };
  });
}

/** Waits until the backend's inventory of `v` is `expected` (the gateway's manifest was ingested). */
async function untilBackendHolds(api: Api, token: string, v: TestVehicle, expected: Running, what: string) {
  let seen = '';
  await waitFor(
    `the backend to hold ${v.vin}'s ${what}`,
    async () => {
      seen = JSON.stringify(await backendInventory(api, token, v));
      return seen === JSON.stringify(expected) ? true : undefined;
    },
    180_000,
    () => `backend inventory: ${seen}, expected ${JSON.stringify(expected)}`,
    1000,
  );
}

/**
 * One run of the scenario: starts the processes, plays the people through the REST API, waits for the
 * rollout, and afterwards stops everything; when something failed it prints each child's log tail and keeps
 * the logs.
 */
export class E2eRun {
  failed = false;
  private processes: ProcessGroup | undefined;
  /** Milestones (ms since the start), printed as figures. */
  private timings: Record<string, number> = {};
  private readonly cleanups: (() => Promise<void>)[] = [];

  async rollout(): Promise<Rollout> {
    const startedAt = Date.now();
    const timings: Record<string, number> = (this.timings = {});
    const mark = (what: string) => (timings[what] = Date.now() - startedAt);
    const dir = await mkdtemp(join(tmpdir(), 'e2e-'));
    // Kept when something failed (or with KEEP_E2E_LOGS=1): the children's whole logs and state directories.
    this.cleanups.push(async () => {
      if (this.failed || process.env.KEEP_E2E_LOGS === '1') console.error(`e2e: logs and state kept in ${dir}`);
      else await rm(dir, { recursive: true, force: true });
    });
    const backend = await prepareBackend(dir);
    this.cleanups.push(() => backend.dispose());
    const group = new ProcessGroup(dir, process.env);
    this.processes = group;
    this.cleanups.push(() => group.stopAll());
    console.log(`e2e: ${backend.describe}; logs in ${dir}`);

    // The ECUs of three vehicles, one ecu-sim process per vehicle on vcan1..vcan3.
    const vehicles = await Promise.all([1, 2, 3].map((i) => createTestVehicle(i, dir, dir)));
    const sims = vehicles.map((v) => group.start(`ecu-sim-${v.index}`, 'ecu-sim/cli.ts', ecuSimArgs(v)));

    const { adminToken, baseUrl, brokerUrl } = await startBackendProcess(group, backend, 'e2e-admin');
    for (const sim of sims) await sim.waitForOutput(/control channel on/, 120_000);
    mark('backend and ECUs up');

    const api = backendApi(baseUrl);
    const team = await createTeam(api, adminToken);
    const approverId = (
      await api.call<{ items: { id: number; name: string }[] }>('GET', '/api/users?limit=50', adminToken)
    ).items.find((u) => u.name === team.names.approver)!.id;

    // The images: what the ECUs run now (ecu-sim's deterministic factory images) and the fixes of two of them.
    const images: Images = new Map();
    for (const ecu of vehicles[0]!.definition.ecus) {
      const hardwareId = ecu.identification.hardwareId;
      const factory = factoryImage(hardwareId, ecu.simulation.softwareVersion, regionSize(ecu));
      const fix = UPDATED_ECUS.find((u) => u.ecu === ecu.name);
      images.set(ecu.name, {
        hardwareId,
        factory,
        fixed: fix ? fixedImage(factory, hardwareId, fix.fixedVersion) : null,
      });
    }

    // The vulnerability, reported and assessed; the releases the ECUs run today (so the backend holds the bases
    // for delta packages) and the fixed releases, tested and authorised.
    const vulnerabilityId = await reportVulnerability(
      api,
      team,
      UPDATED_ECUS.map((u) => ({
        hardwareId: images.get(u.ecu)!.hardwareId,
        versions: [images.get(u.ecu)!.factory.version],
      })),
    );
    const fixedReleaseIds: number[] = [];
    for (const u of UPDATED_ECUS) {
      const img = images.get(u.ecu)!;
      await authoriseRelease(api, team, { hardwareId: img.hardwareId, image: img.factory, fixes: [] });
      fixedReleaseIds.push(
        await authoriseRelease(api, team, { hardwareId: img.hardwareId, image: img.fixed!, fixes: [vulnerabilityId] }),
      );
    }

    // The fleet: registered with the gateways' keys, then the gateways start, each reporting a signed manifest.
    await api.call('POST', '/api/vehicle-models', team.manager, { id: MODEL_ID, name: 'E2E Sedan' }, 201);
    for (const v of vehicles) await registerVehicle(api, team, v, MODEL_ID);
    const roots = {
      image: new Uint8Array(await (await fetch(`${baseUrl}/tuf/image/root.json`)).arrayBuffer()),
      director: new Uint8Array(
        await (await fetch(`${baseUrl}/tuf/director/${vehicles[0]!.vin}/root.json`)).arrayBuffer(),
      ),
    };
    const gateways: ManagedProcess[] = [];
    for (const v of vehicles) {
      await provisionGateway(v, { brokerUrl, roots });
      gateways.push(group.start(`gateway-${v.index}`, 'vehicle-gateway/cli.ts', ['run', '--config', v.gatewayConfig]));
    }
    const wire = await watchWire(brokerUrl);
    this.cleanups.push(() => wire.close());
    for (const v of vehicles) {
      await untilBackendHolds(api, team.auditor, v, expectedRunning(v, images, 'before'), 'first version manifest');
    }

    mark('gateways reported');
    // The campaign: created by carl, submitted (targets and waves resolved), approved by ada, started.
    const campaign = await api.call<{ id: number }>(
      'POST',
      '/api/campaigns',
      team.manager,
      {
        name: 'Security fix ECM 2.4.2 / BCM 1.7.1',
        kind: 'security_patch',
        releaseIds: fixedReleaseIds,
        vulnerabilityIds: [vulnerabilityId],
        targetFilter: { modelIds: [MODEL_ID] },
        installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
        // Wave 1: one vehicle, which must succeed. Wave 2: the other two; one failure in two is tolerated.
        waves: [
          { cumulativePercent: 33, successThreshold: 1, errorThreshold: 0, soakMinutes: 0 },
          { cumulativePercent: 100, successThreshold: 0.5, errorThreshold: 0.5, soakMinutes: 0 },
        ],
        pacingPerMinute: 600,
      },
      201,
    );
    const submitted = await api.call<{ state: string; targetedVehicles: number }>(
      'POST',
      `/api/campaigns/${campaign.id}/submit`,
      team.manager,
      { reason: 'ready for review' },
    );
    expect(submitted).toMatchObject({ state: 'pending_approval', targetedVehicles: 3 });
    const assigned = await api.call<{ items: { vin: string; waveNo: number }[] }>(
      'GET',
      `/api/campaigns/${campaign.id}/vehicles?limit=10`,
      team.auditor,
    );
    const waveOf = new Map(assigned.items.map((x) => [x.vin, x.waveNo]));
    // The fault goes into a vehicle of wave 2 (waves are assigned by a hash: which one is known only now).
    const faultyVin = assigned.items.find((x) => x.waveNo === 2)?.vin;
    if (!faultyVin) throw new Error(`no vehicle in wave 2: ${JSON.stringify(assigned.items)}`);
    const faulty = vehicles.find((v) => v.vin === faultyVin)!;
    await controlCommand(faulty.controlSocket, { cmd: 'fault', spec: FAULT });

    const ownApproval = await api.attempt('POST', `/api/campaigns/${campaign.id}/approve`, team.manager, {
      reason: 'looks fine to me',
    });
    expect(ownApproval.status).toBe(403);
    expect((ownApproval.body as { type: string }).type).toMatch(/four-eyes/);
    await api.call('POST', `/api/campaigns/${campaign.id}/approve`, team.approver, { reason: 'four-eyes review done' });
    await api.call('POST', `/api/campaigns/${campaign.id}/start`, team.manager, { reason: 'go' });
    mark('campaign started');

    const r: Rollout = {
      api,
      team,
      vehicles,
      wire,
      vulnerabilityId,
      images,
      fixedReleaseIds,
      campaignId: campaign.id,
      approverId,
      faultyVin,
      waveOf,
    };

    // The rollout: wave 1, then wave 2 by itself, then completion.
    let last = '';
    await waitFor(
      'the campaign to complete',
      async () => {
        const p = await api.call<{ state: string; byState: Record<string, number> }>(
          'GET',
          `/api/campaigns/${campaign.id}/progress`,
          team.auditor,
        );
        last = JSON.stringify(p);
        if (p.state === 'paused' || p.state === 'cancelled') throw new Error(`the campaign stopped: ${last}`);
        return p.state === 'completed' ? true : undefined;
      },
      420_000,
      () => `last progress: ${last}`,
      2000,
    );
    mark('campaign completed');
    // The gateways report their new manifests after the results: wait until the backend holds them.
    for (const v of vehicles) {
      await untilBackendHolds(api, team.auditor, v, expectedAfter(r, v), 'version manifest after the update');
    }
    // The gateways are done: stop them, so that the test's own UDS requests are the only ones on the buses.
    await Promise.all(gateways.map((g) => g.stop()));
    mark('inventories converged, gateways stopped');
    return r;
  }

  async dispose(): Promise<void> {
    if (this.failed && this.processes) {
      console.error(`\n===== tails of the child processes' logs =====\n${this.processes.tails()}\n`);
    }
    const figures = Object.entries(this.timings).map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`);
    if (figures.length) console.log(`e2e timings (from the start): ${figures.join(', ')}`);
    for (const c of this.cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.error(e));
  }
}
