import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifySecurityEvent, verifyVehicleManifest } from '@ota/protocol';
import { GatewayService } from '../../../vehicle-gateway/connected/gateway-service.ts';
import { ImageStore } from '../../../vehicle-gateway/journal/image-store.ts';
import { buildCampaign, NOW } from './support/campaign-repos.ts';
import { FakeBackend, startBroker, type Broker } from './support/fake-backend.ts';
import { vehicleSigner, writeGatewayConfig } from './support/gateway-config.ts';
import { startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';
import { join } from 'node:path';

let sim: SimHarness | null = null;
let broker: Broker | null = null;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await sim?.stop();
  await broker?.close();
  sim = null;
  broker = null;
});

const NEW = { ecm: '2.4.2', bcm: '1.8.0', adas: '5.1.0' };

async function setup(extraConfig: Record<string, unknown> = {}, faults: string[] = []) {
  sim = await startSimVehicle({ faults });
  broker = await startBroker();
  const backend = await FakeBackend.connect(broker.url);
  cleanups.push(() => backend.close());
  const campaign = buildCampaign(sim, NEW);
  const { config } = await writeGatewayConfig(sim, campaign, broker.url, extraConfig);
  // Provisioning left the gateway with copies of the images its ECUs run (delta bases, rollback).
  const images = new ImageStore(join(config.stateDir, 'images'));
  for (const e of sim.definition.ecus) {
    const { bytes, image } = sim.image(e.name, e.simulation.softwareVersion);
    images.put(bytes, {
      version: e.simulation.softwareVersion,
      hardwareId: e.identification.hardwareId,
      signatures: image.regions.map((r) => r.signature),
    });
  }
  const start = (more: Partial<Parameters<typeof GatewayService.start>[1]> = {}) =>
    GatewayService.start(config, {
      openTransport: sim!.openTransport,
      now: () => NOW,
      // Generous: a chunk answered after a stall is asked for (and served) again, and 12 stalls fail the
      // download. At 300 ms, a busy machine made the resume test see 2 KiB served twice.
      stallMs: 30_000,
      preconditionPollMs: 50,
      ...more,
    });
  return { backend, campaign, config, start };
}

// Each test updates a whole vehicle (three ECUs flashed in this process): over 30 s on a busy machine.
describe('connected mode over MQTT (aedes, or the broker at MQTT_URL)', { timeout: 180_000 }, () => {
  it('publishes a signed manifest on start, installs an offered campaign and reports each ECU', async () => {
    const { backend, campaign, start } = await setup();
    const gateway = await start();
    cleanups.push(() => gateway.stop());
    // aedes speaks only MQTT 3.1.1; Mosquitto (MQTT_URL, inside scripts/with-vcan --services) MQTT 5.
    expect(gateway.mqtt.protocolVersion).toBe(process.env.MQTT_URL ? 5 : 4);
    await backend.until(() => backend.manifests.length === 1);
    const first = verifyVehicleManifest(backend.manifests[0], vehicleSigner().publicKey);
    expect(first.ecus.map((e) => e.version)).toEqual(['2.4.1', '1.7.0', '5.0.3']);

    await backend.offer(sim!.definition.vin, campaign);
    await backend.until(() => backend.results.length === 1 && backend.manifests.length === 2);
    const [result] = backend.results;
    expect(result).toMatchObject({ campaignId: campaign.campaignId, outcome: 'succeeded' });
    expect(result!.ecus.map((e) => [e.ecuSerial, e.result, e.toVersion])).toEqual([
      ['ECM0000000001', 'succeeded', '2.4.2'],
      ['BCM0000000001', 'succeeded', '1.8.0'],
      ['ADAS000000001', 'succeeded', '5.1.0'],
    ]);
    const after = verifyVehicleManifest(backend.manifests[1], vehicleSigner().publicKey);
    expect(after.counter).toBeGreaterThan(first.counter);
    expect(after.ecus.map((e) => e.version)).toEqual(['2.4.2', '1.8.0', '5.1.0']);
    expect(after.lastUpdate?.outcome).toBe('succeeded');
    // Deltas, not images, went over the air.
    expect(backend.chunkBytesServed).toBeLessThan((3 * 32 * 1024) / 10);
    expect(backend.progress.some((p) => p.phase === 'flashing')).toBe(true);
  });

  it('asks for the metadata again when a request goes unanswered, and installs', async () => {
    const { backend, campaign, start } = await setup();
    backend.ignoreMetadataRequests = 1;
    const gateway = await start({ metadataWait: { timeoutMs: 1000, attempts: 3 } });
    cleanups.push(() => gateway.stop());
    await backend.until(() => backend.manifests.length === 1);
    await backend.offer(sim!.definition.vin, campaign);
    await backend.until(() => backend.results.length === 1);
    expect(backend.results[0]).toMatchObject({ campaignId: campaign.campaignId, outcome: 'succeeded' });
    expect(backend.metadataRequests).toBe(2);
  });

  it('reads an ECU that did not answer at first again, with backoff, and republishes the manifest', async () => {
    // adas holds every ReadDataByIdentifier answer back past the gateway's P2: its first read times out.
    const { backend, start } = await setup({}, ['adas/delay:1500@readDid']);
    const lines: string[] = [];
    const gateway = await start({ inventoryRetry: { initialMs: 200, maxMs: 800 }, log: (l) => lines.push(l) });
    cleanups.push(() => gateway.stop());
    await backend.until(() => backend.manifests.length === 1);
    const first = verifyVehicleManifest(backend.manifests[0], vehicleSigner().publicKey);
    expect(first.ecus.map((e) => e.serial)).toEqual(['ECM0000000001', 'BCM0000000001']);
    // The backoff doubles while adas stays silent.
    await vi.waitUntil(() => lines.some((l) => /reading again in 400 ms: adas /.test(l)), { timeout: 20_000 });

    sim!.vehicle.clearFaults('adas'); // it answers in time from now on
    await backend.until(() => backend.manifests.length === 2);
    const second = verifyVehicleManifest(backend.manifests[1], vehicleSigner().publicKey);
    expect(second.counter).toBeGreaterThan(first.counter);
    expect(second.ecus.map((e) => [e.serial, e.version])).toEqual([
      ['ECM0000000001', '2.4.1'],
      ['BCM0000000001', '1.7.0'],
      ['ADAS000000001', '5.0.3'],
    ]);
    // Only a change is republished: the retries that still failed published nothing.
    expect(lines.filter((l) => / manifest \d+ published/.test(l))).toHaveLength(2);
  });

  it('publishes no manifest while no ECU answers, and the first one once they do', async () => {
    const { backend, start } = await setup();
    for (const e of sim!.vehicle.ecus) e.powerLoss();
    const lines: string[] = [];
    const gateway = await start({ inventoryRetry: { initialMs: 100, maxMs: 400 }, log: (l) => lines.push(l) });
    cleanups.push(() => gateway.stop());
    await vi.waitUntil(() => lines.some((l) => l.includes('no ECU could be read completely: no manifest yet')), {
      timeout: 20_000,
    });
    expect(backend.manifests).toEqual([]);
    for (const e of sim!.definition.ecus) await sim!.vehicle.powerCycle(e.name);
    await backend.until(() => backend.manifests.length === 1);
    const manifest = verifyVehicleManifest(backend.manifests[0], vehicleSigner().publicKey);
    expect(manifest.ecus).toHaveLength(3);
  });

  it('reports a failed ECU with its NRC and the others rolled back', async () => {
    const { backend, campaign, start } = await setup({}, ['adas/nrc:0x72@transferData#1']);
    const gateway = await start();
    cleanups.push(() => gateway.stop());
    await backend.until(() => backend.manifests.length === 1);
    await backend.offer(sim!.definition.vin, campaign);
    await backend.until(() => backend.results.length === 1 && backend.manifests.length === 2);
    const [result] = backend.results;
    expect(result).toMatchObject({ outcome: 'rolled_back', error: { code: 'rolled_back' } });
    expect(result!.ecus.map((e) => [e.ecuSerial, e.result, e.nrc])).toEqual([
      ['ECM0000000001', 'rolled_back', undefined],
      ['BCM0000000001', 'rolled_back', undefined],
      ['ADAS000000001', 'failed', 0x72],
    ]);
    const after = verifyVehicleManifest(backend.manifests[1], vehicleSigner().publicKey);
    expect(after.ecus.map((e) => e.version)).toEqual(['2.4.1', '1.7.0', '5.0.3']);
    expect(after.lastUpdate?.outcome).toBe('rolled_back');
  });

  it('ignores a finished attempt offered again, and installs a retry (the next attempt) of the same campaign', async () => {
    const { backend, campaign, start } = await setup({}, ['adas/nrc:0x72@transferData#1']);
    const lines: string[] = [];
    const gateway = await start({ log: (l) => lines.push(l) });
    cleanups.push(() => gateway.stop());
    await backend.until(() => backend.manifests.length === 1);
    await backend.offer(sim!.definition.vin, campaign);
    await backend.until(() => backend.results.length === 1 && backend.manifests.length === 2);
    expect(backend.results[0]?.outcome).toBe('rolled_back');

    sim!.vehicle.clearFaults('adas');
    // Offers are handled one after the other: the repeated attempt 1 is ignored before attempt 2 is taken.
    await backend.offer(sim!.definition.vin, campaign);
    await backend.offer(sim!.definition.vin, campaign, 2);
    await backend.until(() => backend.results.length === 2 && backend.manifests.length === 3);
    expect(backend.results[1]).toMatchObject({ campaignId: campaign.campaignId, outcome: 'succeeded' });
    // A result id of its own: the backend would drop attempt 1's id as a duplicate.
    expect(backend.results[1]!.resultId).not.toBe(backend.results[0]!.resultId);
    expect(lines.filter((l) => l.includes(`] offer ${campaign.campaignId} (`))).toHaveLength(2);
    const after = verifyVehicleManifest(backend.manifests[2], vehicleSigner().publicKey);
    expect(after.ecus.map((e) => e.version)).toEqual(['2.4.2', '1.8.0', '5.1.0']);
  });

  it('reports a verification failure without touching any ECU', async () => {
    const { backend, start } = await setup();
    const gateway = await start();
    cleanups.push(() => gateway.stop());
    const wrongVin = buildCampaign(sim!, NEW, { vin: 'WVSAMPLE000000002', campaignId: 'campaign-other' });
    const before = JSON.stringify(sim!.vehicle.ecus.map((e) => e.status()));
    await backend.offer(sim!.definition.vin, wrongVin);
    await backend.until(() => backend.results.length === 1);
    expect(backend.results[0]).toMatchObject({ outcome: 'failed', ecus: [], error: { code: 'wrong_vin' } });
    expect(JSON.stringify(sim!.vehicle.ecus.map((e) => e.status()))).toBe(before);
    // ... and a signed security event names the attack.
    await backend.until(() => backend.securityEvents.length === 1);
    expect(verifySecurityEvent(backend.securityEvents[0], vehicleSigner().publicKey)).toMatchObject({
      vin: sim!.definition.vin,
      type: 'metadata_verification_failure',
      attack: 'wrong_vin',
      code: 'wrong_vin',
      campaignId: 'campaign-other',
      severity: 'high',
    });
  });

  it('resumes a download after the gateway restarts, without fetching again what it has', async () => {
    // Full images (no delta) in 1 KiB chunks; the link drops after 4 KiB.
    const { backend, start } = await setup({ chunkSize: 1024 });
    const campaign = buildCampaign(sim!, NEW, { delta: false });
    backend.stopServingAfter = 4096;
    let gateway = await start();
    await backend.until(() => backend.manifests.length === 1);
    await backend.offer(sim!.definition.vin, campaign);
    // Stopped once the 4 KiB served are on disk (the gateway reports progress after it saved a chunk).
    await backend.until(() => backend.progress.some((p) => p.phase === 'downloading' && p.bytesDone >= 4096));
    const idle = gateway.idle().then(() => 'idle');
    const offline = () => backend.statuses.filter((s) => !s.online).length;
    const offlineBefore = offline();
    await gateway.stop();
    // stop() waited for the download it aborted: the stopped gateway fetches nothing more, nor talks on the bus.
    expect(await Promise.race([idle, Promise.resolve('busy')])).toBe('idle');
    // Its chunk requests still in flight reach the backend before its offline status, while the link is down.
    await backend.until(() => offline() > offlineBefore);
    backend.stopServingAfter = null;
    gateway = await start();
    cleanups.push(() => gateway.stop());
    // The campaign is still pending for this vehicle: the backend offers it again after the reconnect.
    await backend.offer(sim!.definition.vin, campaign);
    await backend.until(() => backend.results.length === 1);
    expect(backend.results[0]?.outcome).toBe('succeeded');
    // Every byte of the three images was served exactly once.
    expect(backend.chunkBytesServed).toBe(3 * 32 * 1024);
  });

  it('leaves an update stopped while flashing to the next start, which finishes it and reports it once', async () => {
    const { backend, campaign, start } = await setup();
    let stopping: Promise<void> | null = null;
    let stoppedIn: string | null = null;
    // stop() at the first journal write inside an ECU's flash: the update must end there, as a kill ends it.
    const gateway: GatewayService = await start({
      onJournalSaved: (record) => {
        const flashing = Object.values(record.ecus).find((e) => e.phase === 'flashing' && e.step !== null);
        if (stopping || !flashing) return;
        stoppedIn = `${flashing.target.ecu}:${flashing.step}`;
        stopping = gateway.stop();
      },
    });
    await backend.until(() => backend.manifests.length === 1);
    await backend.offer(sim!.definition.vin, campaign);
    await vi.waitUntil(() => stopping !== null, { timeout: 60_000 });
    await stopping;
    expect(stoppedIn).not.toBeNull();
    expect(backend.results).toEqual([]);
    const again = await start();
    cleanups.push(() => again.stop());
    await backend.until(() => backend.results.length === 1 && backend.manifests.length === 2);
    expect(backend.results[0]).toMatchObject({ campaignId: campaign.campaignId, outcome: 'succeeded' });
    const after = verifyVehicleManifest(backend.manifests[1], vehicleSigner().publicKey);
    expect(after.ecus.map((e) => e.version)).toEqual(['2.4.2', '1.8.0', '5.1.0']);
  });
});
