/**
 * Runs the REAL Mosquitto with deploy/mosquitto's production config (paths and port rewritten
 * to a temp dir and a free port on 127.0.0.1) and certificates issued by backend/keys, and shows
 * that a vehicle can neither read nor write another vehicle's topics.
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_IDENTITY,
  createCa,
  issueClientCertificate,
  issueServerCertificate,
  issueVehicleCertificate,
} from '../../../backend/keys/certificates.ts';
import type { IssuedCertificate } from '../../../backend/keys/certificates.ts';
import { vehicleTopic } from '@ota/protocol/messages';
import { freePort, retryWhilePortTaken, spawnServer } from '../../support/net.ts';
import { requireMosquitto } from '../../support/mosquitto.ts';
import { testVin } from './fixtures.ts';

const deployDir = fileURLToPath(new URL('../../../deploy/mosquitto/', import.meta.url));
const VIN_A = testVin('ACLA', 1);
const VIN_B = testVin('ACLB', 2);

let dir: string;
let broker: ChildProcess | undefined;
let port: number;
let caCert: string;
const certs: Record<string, IssuedCertificate> = {};
const clients: MqttClient[] = [];

async function connectAs(name: string): Promise<MqttClient> {
  const id = certs[name]!;
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
    protocolVersion: 5,
    clientId: `${name}-${process.pid}`,
    ca: caCert,
    cert: await readFile(id.certFile, 'utf8'),
    key: await readFile(id.keyFile, 'utf8'),
    rejectUnauthorized: true,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

/** Collects messages by topic; `until` resolves when a message arrives on `topic`. */
function collector(client: MqttClient) {
  const seen: string[] = [];
  const waiters: { topic: string; resolve: () => void }[] = [];
  client.on('message', (topic) => {
    seen.push(topic);
    for (const w of waiters.filter((x) => x.topic === topic)) w.resolve();
  });
  return {
    seen,
    until: (topic: string) =>
      seen.includes(topic) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ topic, resolve })),
  };
}

beforeAll(async () => {
  const mosquitto = requireMosquitto('the broker ACL test');
  dir = await mkdtemp(join(tmpdir(), 'mosquitto-acl-'));
  const certDir = join(dir, 'certs');
  const ca = await createCa(join(dir, 'ca'));
  caCert = await readFile(ca.certFile, 'utf8');
  const server = await issueServerCertificate(ca, certDir, { dns: ['localhost'], ip: ['127.0.0.1'] });
  await copyFile(ca.certFile, join(certDir, 'ca.crt'));
  certs.backend = await issueClientCertificate(ca, BACKEND_IDENTITY, join(dir, 'clients'));
  certs.a = await issueVehicleCertificate(ca, VIN_A, join(dir, 'clients'));
  certs.b = await issueVehicleCertificate(ca, VIN_B, join(dir, 'clients'));
  expect(server.certFile).toBe(join(certDir, 'server.crt'));

  const template = await readFile(join(deployDir, 'mosquitto.conf'), 'utf8');
  const conf = (listenOn: number) =>
    template
      .replaceAll('/etc/mosquitto/ota/certs/', `${certDir}/`)
      .replace('acl_file /etc/mosquitto/ota/acl', `acl_file ${join(dir, 'acl')}`)
      .replace(/^listener 8883$/m, `listener ${listenOn} 127.0.0.1`)
      .replace(/^persistence true$/m, 'persistence false');
  expect(conf(1)).toContain('listener 1 127.0.0.1');
  await copyFile(join(deployDir, 'acl'), join(dir, 'acl'));
  // Started as root, mosquitto drops to its own user: it must be able to read these files.
  for (const d of [dir, certDir]) await chmod(d, 0o755);
  for (const f of await readdir(certDir)) await chmod(join(certDir, f), 0o644);
  await chmod(join(dir, 'acl'), 0o644);
  port = await retryWhilePortTaken(freePort, async (listenOn) => {
    await writeFile(join(dir, 'mosquitto.conf'), conf(listenOn), { mode: 0o644 });
    broker = await spawnServer(mosquitto, ['-c', join(dir, 'mosquitto.conf')], listenOn);
    return listenOn;
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  broker?.kill('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Mosquitto production config', () => {
  it('lets a vehicle read only its own downlink topics', async () => {
    const backend = await connectAs('backend');
    const a = await connectAs('a');
    const b = await connectAs('b');
    const aSeen = collector(a);
    const bSeen = collector(b);
    // A asks for B's offers too (granted, but the ACL delivers nothing from there).
    await a.subscribeAsync(
      [vehicleTopic(VIN_A, 'offer'), vehicleTopic(VIN_B, 'offer'), vehicleTopic(VIN_B, 'chunks/data')],
      { qos: 1 },
    );
    await b.subscribeAsync(vehicleTopic(VIN_B, 'offer'), { qos: 1 });
    await backend.publishAsync(vehicleTopic(VIN_B, 'offer'), 'for B', { qos: 1 });
    await backend.publishAsync(vehicleTopic(VIN_B, 'chunks/data'), 'for B', { qos: 1 });
    await backend.publishAsync(vehicleTopic(VIN_A, 'offer'), 'for A', { qos: 1 });
    // Messages reach A in publish order: once A's own offer arrived, B's would have too.
    await aSeen.until(vehicleTopic(VIN_A, 'offer'));
    await bSeen.until(vehicleTopic(VIN_B, 'offer'));
    expect(aSeen.seen).toEqual([vehicleTopic(VIN_A, 'offer')]);
  });

  it("refuses a vehicle writing to another vehicle's topics or to its own downlink", async () => {
    const backend = await connectAs('backend');
    const a = await connectAs('a');
    const seen = collector(backend);
    await backend.subscribeAsync(`$share/backend/ota/v1/vehicles/+/result`, { qos: 1 });
    await backend.subscribeAsync(`ota/v1/vehicles/+/offer`, { qos: 1 });
    await a.publishAsync(vehicleTopic(VIN_B, 'result'), 'spoofed result', { qos: 1 }).catch(() => undefined);
    await a.publishAsync(vehicleTopic(VIN_A, 'offer'), 'spoofed offer', { qos: 1 }).catch(() => undefined);
    await a.publishAsync(vehicleTopic(VIN_A, 'result'), 'own result', { qos: 1 });
    await seen.until(vehicleTopic(VIN_A, 'result'));
    expect(seen.seen).toEqual([vehicleTopic(VIN_A, 'result')]);
  });

  it('refuses a client without a certificate from the CA', async () => {
    await expect(
      mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
        ca: caCert,
        rejectUnauthorized: true,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toThrow();
  });
});
