// A campaign manager retries a vehicle whose install failed, end to end: the backend process (PostgreSQL,
// a Mosquitto of the test's own) and a real gateway service flashing simulated ECUs (ecu-sim on an in-memory CAN
// bus). The first install fails (an injected NRC on TransferData), the campaign pauses, the manager retries
// the failed vehicle and resumes, and the same gateway takes the new offer (the campaign's second attempt)
// and installs: the vehicle ends succeeded and the backend holds the new versions.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, it, onTestFailed } from 'vitest';
import { loadGatewayConfig } from '../../../vehicle-gateway/connected/config.ts';
import { GatewayService } from '../../../vehicle-gateway/connected/gateway-service.ts';
import { backendApi, type Api } from '../../support/backend-api.ts';
import { waitFor } from '../../support/wait-for.ts';
import { prepareBackend, startBackendProcess } from '../../vcan/e2e/support/backend.ts';
import {
  createTestVehicle,
  factoryImage,
  fixedImage,
  provisionGateway,
  regionSize,
} from '../../vcan/e2e/support/fleet.ts';
import { ProcessGroup } from '../../vcan/e2e/support/processes.ts';
import { FAULT, UPDATED_ECUS } from '../../vcan/e2e/support/rollout.ts';
import { authoriseRelease, createTeam, registerVehicle } from '../../vcan/e2e/support/scenario.ts';
import { startMosquitto } from '../../support/mosquitto.ts';
import { startSimVehicle, type SimHarness } from '../gateway/support/sim-vehicle.ts';

const cleanups: (() => Promise<void>)[] = [];
let failed = false;
afterAll(async () => {
  // Kept when the test failed: the processes' logs, the gateway's state and the database.
  if (failed) cleanups.splice(0, 2);
  for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.error(e));
});

interface Progress {
  state: string;
  byState: Record<string, number>;
}

async function untilProgress(api: Api, token: string, id: number, what: string, done: (p: Progress) => boolean) {
  let last = '';
  await waitFor(
    what,
    async () => {
      const p = await api.call<Progress>('GET', `/api/campaigns/${id}/progress`, token);
      last = JSON.stringify(p);
      return done(p) ? true : undefined;
    },
    240_000,
    () => `last progress: ${last}`,
    500,
  );
}

it('installs on a retried vehicle whose first install failed', { timeout: 600_000 }, async () => {
  if (!process.env.DATABASE_URL) throw new Error('this test needs PostgreSQL: set DATABASE_URL (and MQTT_URL)');
  const dir = await mkdtemp(join(tmpdir(), 'retry-failed-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const prepared = await prepareBackend(dir);
  cleanups.push(() => prepared.dispose());
  // A Mosquitto of its own: on the machine's shared broker, other backends (one shared subscription
  // group) would take and answer this vehicle's metadata requests.
  const mosquitto = await startMosquitto({ persistence: false, why: 'the retry test runs a real broker' });
  cleanups.push(() => mosquitto.close());
  const env: NodeJS.ProcessEnv = { ...prepared.env, MQTT_URL: mosquitto.url };
  const backend = { ...prepared, brokerUrl: mosquitto.url, env };
  const group = new ProcessGroup(dir, process.env);
  const lines: string[] = [];
  cleanups.push(() => group.stopAll());

  // vcan0: the interface the in-memory bus of the simulated vehicle stands for.
  const v = await createTestVehicle(0, dir, dir);
  const sim: SimHarness = await startSimVehicle({ definition: v.definition, faults: [FAULT] });
  cleanups.push(() => sim.stop());

  const { adminToken, baseUrl } = await startBackendProcess(group, backend, 'retry');
  onTestFailed(() => {
    failed = true;
    console.error(`${group.tails()}\n----- gateway -----\n${lines.join('\n')}\nkept: ${dir}, ${backend.describe}`);
  });

  const api = backendApi(baseUrl);
  const team = await createTeam(api, adminToken);
  const releaseIds: number[] = [];
  const fixedVersions = new Map<string, string>();
  for (const u of UPDATED_ECUS) {
    const ecu = v.definition.ecus.find((e) => e.name === u.ecu)!;
    const hardwareId = ecu.identification.hardwareId;
    const factory = factoryImage(hardwareId, ecu.simulation.softwareVersion, regionSize(ecu));
    const image = fixedImage(factory, hardwareId, u.fixedVersion);
    releaseIds.push(await authoriseRelease(api, team, { hardwareId, image, fixes: [] }));
    fixedVersions.set(v.serial(u.ecu), u.fixedVersion);
  }
  await api.call('POST', '/api/vehicle-models', team.manager, { id: 'retry-sedan', name: 'Retry Sedan' }, 201);
  await registerVehicle(api, team, v, 'retry-sedan');
  const roots = {
    image: new Uint8Array(await (await fetch(`${baseUrl}/tuf/image/root.json`)).arrayBuffer()),
    director: new Uint8Array(await (await fetch(`${baseUrl}/tuf/director/${v.vin}/root.json`)).arrayBuffer()),
  };
  await provisionGateway(v, { brokerUrl: backend.brokerUrl, roots });
  const gateway = await GatewayService.start(await loadGatewayConfig(v.gatewayConfig), {
    openTransport: sim.openTransport,
    preconditionPollMs: 50,
    log: (l) => lines.push(l),
  });
  cleanups.push(() => gateway.stop());
  await waitFor(
    'the first version manifest',
    async () => (lines.some((l) => / manifest \d+ published/.test(l)) ? true : undefined),
    60_000,
  );

  // One wave; a failure pauses the campaign (error threshold 0).
  const { id } = await api.call<{ id: number }>(
    'POST',
    '/api/campaigns',
    team.manager,
    {
      name: 'Retry after a failed flash',
      kind: 'bug_fix',
      releaseIds,
      targetFilter: { modelIds: ['retry-sedan'] },
      installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
      waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 0, soakMinutes: 0 }],
      pacingPerMinute: 600,
    },
    201,
  );
  await api.call('POST', `/api/campaigns/${id}/submit`, team.manager, { reason: 'ready' });
  await api.call('POST', `/api/campaigns/${id}/approve`, team.approver, { reason: 'reviewed' });
  await api.call('POST', `/api/campaigns/${id}/start`, team.manager, { reason: 'go' });
  await untilProgress(api, team.auditor, id, 'the first install to fail', (p) => p.state === 'paused');
  const afterFailure = await api.call<Progress>('GET', `/api/campaigns/${id}/progress`, team.auditor);
  expect(afterFailure.byState).toEqual({ rolled_back: 1 });

  // Both reports of the failure are in before the retry: the result and the manifest naming it as its
  // last update. A late one would still be applied to the new offer (reports carry no attempt: see
  // the README), and pause the campaign again.
  const db = new pg.Client({ connectionString: backend.env.DATABASE_URL });
  await db.connect();
  cleanups.push(() => db.end());
  await waitFor(
    'the failed result and the manifest naming it',
    async () => {
      const r = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM delivery_reports WHERE vin = $1 AND campaign_id = $2 AND kind = 'result'`,
        [v.vin, id],
      );
      return r.rows[0]!.n === 2 ? true : undefined;
    },
    120_000,
  );

  // The fault is fixed (a new BCM key, say); the manager retries the vehicle and resumes the campaign.
  sim.vehicle.clearFaults('bcm');
  expect(await api.call('POST', `/api/campaigns/${id}/retry-failed`, team.manager, { reason: 'BCM fixed' })).toEqual({
    retriedVehicles: 1,
  });
  await api.call('POST', `/api/campaigns/${id}/resume`, team.manager, { reason: 'retry' });
  await untilProgress(api, team.auditor, id, 'the retried vehicle to succeed', (p) => p.byState.succeeded === 1);
  const done = await api.call<Progress>('GET', `/api/campaigns/${id}/progress`, team.auditor);
  expect(done).toMatchObject({ state: 'completed', byState: { succeeded: 1 } });
  // The same gateway handled both offers, and the ECUs run the fixed versions.
  expect(lines.filter((l) => l.includes(`] offer ${id} (`))).toHaveLength(2);
  await waitFor(
    'the backend to hold the new versions',
    async () => {
      const row = await api.call<{ ecus: { serial: string; installedVersion: string }[] }>(
        'GET',
        `/api/vehicles/${v.vin}`,
        team.auditor,
      );
      const ok = [...fixedVersions].every(([serial, version]) =>
        row.ecus.some((e) => e.serial === serial && e.installedVersion === version),
      );
      return ok ? true : undefined;
    },
    60_000,
  );
});
