// Three attacks on one vehicle, end to end over vcan: an unknown tester on its bus, a forged Director target (a
// man in the middle between the gateway and the broker changes the ECU a target is for in the signed metadata),
// and a wrong SecurityAccess key at the ECU (the gateway holds a wrong secret for the ecm). Processes as in
// test/vcan/e2e: the backend with MQTT delivery (PostgreSQL and Mosquitto), ecu-sim and the gateway on vcan1,
// and Debian's rsyslog receiving the backend's SIEM export over TLS. The gateway's events must reach the backend,
// and rsyslog must have each exactly once although it was stopped after the first and started again in between.
//
// scripts/with-vcan --vcan 4 --services -- node_modules/.bin/vitest run --project vcan test/vcan/security
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSocketCan } from '@ota/uds';
import { startRsyslog, type TestRsyslog } from '../../support/rsyslog.ts';
import { backendApi, type Api } from '../../support/backend-api.ts';
import { waitFor } from '../../support/wait-for.ts';
import { backendListening, prepareBackend } from '../e2e/support/backend.ts';
import {
  createTestVehicle,
  ecuSimArgs,
  factoryImage,
  fixedImage,
  provisionGateway,
  regionSize,
} from '../e2e/support/fleet.ts';
import { ProcessGroup } from '../e2e/support/processes.ts';
import { backendInventory } from '../e2e/support/rollout.ts';
import { authoriseRelease, createTeam, registerVehicle, type Team } from '../e2e/support/scenario.ts';
import { startTamperingProxy, type TamperingProxy } from './support/tampering-proxy.ts';

const MODEL_ID = 'attacked-sedan';

interface StoredEvent {
  id: string;
  vin: string;
  type: string;
  siemDeliveredAt: string | null;
  event: Record<string, unknown>;
}

const cleanups: (() => Promise<void>)[] = [];
let failed = false;
let group: ProcessGroup | undefined;

afterAll(async () => {
  if (failed && group) console.error(`\n===== tails of the child processes' logs =====\n${group.tails()}\n`);
  for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.error(e));
}, 120_000);

const idOf = (line: string) => /eventId="([^"]+)"/.exec(line)?.[1];

async function vehicleEvents(api: Api, token: string, vin: string): Promise<StoredEvent[]> {
  const page = await api.call<{ items: StoredEvent[] }>('GET', `/api/security-events?vin=${vin}&limit=100`, token);
  return page.items;
}

/** A campaign of one release for the model, created, approved by another person and started. */
async function startCampaign(api: Api, team: Team, releaseId: number, name: string): Promise<number> {
  const { id } = await api.call<{ id: number }>(
    'POST',
    '/api/campaigns',
    team.manager,
    {
      name,
      kind: 'bug_fix',
      releaseIds: [releaseId],
      targetFilter: { modelIds: [MODEL_ID] },
      installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
      waves: [{ cumulativePercent: 100, successThreshold: 0.5, errorThreshold: 1, soakMinutes: 0 }],
      pacingPerMinute: 600,
    },
    201,
  );
  await api.call('POST', `/api/campaigns/${id}/submit`, team.manager, { reason: 'ready' });
  await api.call('POST', `/api/campaigns/${id}/approve`, team.approver, { reason: 'reviewed' });
  await api.call('POST', `/api/campaigns/${id}/start`, team.manager, { reason: 'go' });
  return id;
}

describe('an attack on one vehicle, seen by the backend and the SIEM', () => {
  it('turns an unknown tester, a forged Director target and a wrong key into events, each in rsyslog once', async () => {
    try {
      const dir = await mkdtemp(join(tmpdir(), 'attack-'));
      cleanups.push(async () => {
        if (failed) console.error(`attack: logs and state kept in ${dir}`);
        else await rm(dir, { recursive: true, force: true });
      });
      const rsyslog: TestRsyslog = await startRsyslog();
      cleanups.push(() => rsyslog.close());
      const backend = await prepareBackend(dir);
      cleanups.push(() => backend.dispose());
      const g = (group = new ProcessGroup(dir, process.env));
      cleanups.push(() => g.stopAll());

      const v = await createTestVehicle(1, dir, dir);
      const sim = g.start('ecu-sim', 'ecu-sim/cli.ts', ecuSimArgs(v));
      const env = {
        ...backend.env,
        SIEM_SYSLOG_HOST: '127.0.0.1',
        SIEM_SYSLOG_PORT: String(rsyslog.port),
        SIEM_SYSLOG_CA_FILE: rsyslog.caFile,
        SIEM_SYSLOG_HOSTNAME: 'ota-backend-vcan',
        SIEM_POLL_MS: '200',
      };
      const tokenOutput = await g.run(
        'create-admin-token',
        'backend/main.ts',
        ['create-admin-token', '--name', 'a'],
        env,
      );
      const adminToken = /\b(ota_\S+)/.exec(tokenOutput)?.[1];
      if (!adminToken) throw new Error(`create-admin-token printed no token: ${tokenOutput}`);
      const server = g.start('backend', 'backend/main.ts', ['serve'], env);
      const { baseUrl, brokerUrl } = await backendListening(server);
      // The gateway reaches the broker through the proxy; the backend connects to it directly.
      const broker = new URL(brokerUrl);
      const proxy: TamperingProxy = await startTamperingProxy({
        host: broker.hostname,
        port: Number(broker.port),
      });
      cleanups.push(() => proxy.close());
      await server.waitForOutput(/delivery: connected to/, 60_000);
      await server.waitForOutput(/siem: forwarding security events/, 10_000);
      await sim.waitForOutput(/control channel on/, 120_000);

      const api = backendApi(baseUrl);
      const team = await createTeam(api, adminToken);
      const ecm = v.definition.ecus.find((e) => e.name === 'ecm')!;
      const hardwareId = ecm.identification.hardwareId;
      const factory = factoryImage(hardwareId, ecm.simulation.softwareVersion, regionSize(ecm));
      const releaseId = await authoriseRelease(api, team, {
        hardwareId,
        image: fixedImage(factory, hardwareId, '2.4.2'),
        fixes: [],
      });
      await api.call('POST', '/api/vehicle-models', team.manager, { id: MODEL_ID, name: 'Attacked Sedan' }, 201);
      await registerVehicle(api, team, v, MODEL_ID);
      const roots = {
        image: new Uint8Array(await (await fetch(`${baseUrl}/tuf/image/root.json`)).arrayBuffer()),
        director: new Uint8Array(await (await fetch(`${baseUrl}/tuf/director/${v.vin}/root.json`)).arrayBuffer()),
      };
      // The gateway reaches the broker through the man in the middle, and holds a wrong secret for the ecm.
      await provisionGateway(v, { brokerUrl: `mqtt://127.0.0.1:${proxy.port}`, roots });
      await writeFile(
        join(v.dir, 'secrets.json'),
        JSON.stringify(
          Object.fromEntries(
            v.definition.ecus.map((e) => [e.name, e.name === 'ecm' ? '00'.repeat(32) : e.simulation.securitySecret]),
          ),
        ),
      );
      const gateway = g.start('gateway', 'vehicle-gateway/cli.ts', ['run', '--config', v.gatewayConfig]);
      // Its buses are watched before its first manifest goes out.
      await gateway.waitForOutput(/manifest \d+ published/, 180_000);
      await waitFor(
        "the backend to hold the vehicle's manifest",
        async () =>
          (await backendInventory(api, team.auditor, v)).every((e) => e.sha256 !== '(none)') ? true : undefined,
        120_000,
      );

      const events = () => vehicleEvents(api, team.security, v.vin);
      let seen = '';
      const untilEvent = (type: string) =>
        waitFor(
          `a ${type} event of ${v.vin} in the backend`,
          async () => {
            const all = await events();
            seen = all.map((e) => e.type).join(', ');
            return all.find((e) => e.type === type);
          },
          300_000,
          () => `events so far: ${seen}`,
          1000,
        );
      const untilInRsyslog = (ids: string[]) =>
        waitFor(
          `rsyslog to have written ${ids.join(', ')}`,
          async () => {
            const got = new Set(rsyslog.lines().map(idOf));
            return ids.every((id) => got.has(id)) ? true : undefined;
          },
          120_000,
          () => `rsyslog has: ${rsyslog.lines().map(idOf).join(', ')}`,
        );

      // 1. An unknown tester on the vehicle's bus reads the VIN from the ecm.
      const can = await openSocketCan(v.iface);
      try {
        await can.send({
          id: 0x7e0,
          extended: false,
          fd: false,
          data: Uint8Array.from([0x03, 0x22, 0xf1, 0x90, 0, 0, 0, 0]),
        });
      } finally {
        await can.close();
      }
      const intrusion = await untilEvent('can_unsent_diagnostic_request');
      expect(intrusion.event).toMatchObject({ bus: v.iface, canId: 0x7e0 });
      await untilInRsyslog([intrusion.id]);

      // The collector goes away with the first event written.
      await rsyslog.stop();

      // 2. A forged Director target: the signed targets assign the ecm's image to another serial.
      const serial = v.serial('ecm');
      const forgedSerial = `${serial.slice(0, -1)}9`;
      const tampered = proxy.armOnce(`\\"${serial}\\"`, `\\"${forgedSerial}\\"`);
      await startCampaign(api, team, releaseId, 'ECM 2.4.2 (forged on the way)');
      await tampered;
      const forged = await untilEvent('metadata_verification_failure');
      expect(forged.event).toMatchObject({ repository: 'director' });

      // The collector comes back; what waited in the outbox is written once.
      await rsyslog.start();
      await untilInRsyslog([intrusion.id, forged.id]);

      // 3. The gateway answers the ecm's seed with a key from the wrong secret: NRC 0x35 invalidKey.
      await startCampaign(api, team, releaseId, 'ECM 2.4.2 (wrong key)');
      const wrongKey = await untilEvent('security_access_failure');
      expect(wrongKey.event).toMatchObject({ ecu: 'ecm', nrc: 0x35 });

      // The backend shows the three, and marks every event of the vehicle delivered to the SIEM.
      const all = await waitFor(
        'every event of the vehicle delivered to the SIEM',
        async () => {
          const list = await events();
          return list.every((e) => e.siemDeliveredAt !== null) ? list : undefined;
        },
        120_000,
      );
      expect(all.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'can_unsent_diagnostic_request',
          'metadata_verification_failure',
          'security_access_failure',
        ]),
      );
      await untilInRsyslog(all.map((e) => e.id));
      const counts = new Map<string, number>();
      for (const line of rsyslog.lines()) {
        const id = idOf(line) ?? `(no event id: ${line})`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(all.map((e) => [e.id, 1])));
      console.log(`attack: ${all.length} events (${all.map((e) => e.type).join(', ')}), each once in rsyslog`);
    } catch (err) {
      failed = true;
      throw err;
    }
  }, 1_200_000);
});
