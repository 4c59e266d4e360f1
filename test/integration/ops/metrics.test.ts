// /metrics scraped before, during and after a campaign delivered over MQTT to simulated gateways, on real
// PostgreSQL and Mosquitto when DATABASE_URL / MQTT_URL are set: the numbers move as the campaign does.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../backend/app.ts';
import { startDeliveryService, type DeliveryService } from '../../../backend/delivery/service.ts';
import { startFleet, type Fleet } from '../../../fleet-sim/fleet.ts';
import { BackendMetrics } from '../../../backend/observability/metrics.ts';
import { createAdminToken } from '../../../backend/users/service.ts';
import { latestMetadata } from '../../../backend/tuf-repo/metadata-store.ts';
import { trustRoot } from '@ota/protocol/tuf';
import { seedDeltaCampaign, startCampaign } from '../delivery/fixtures.ts';
import { startHarness, type DeliveryHarness } from '../delivery/harness.ts';
import { waitFor } from '../../support/wait-for.ts';
import { seriesValue } from '../../support/prometheus.ts';

const VEHICLES = 12;
const HW = 'HW-METRICS-1';
const runId = randomBytes(4).toString('hex');

let h: DeliveryHarness;
let service: DeliveryService | undefined;
let fleet: Fleet | undefined;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await fleet?.stop();
  await service?.stop({ leaveGroup: true });
  await h.close();
});

/** The value of one series in Prometheus text format (0 when absent). */
function value(text: string, series: string): number {
  return seriesValue(text, series) ?? 0;
}

describe('/metrics during a campaign', () => {
  // The fleet gets 60 s to finish below; the test's own limit leaves room for that on a busy machine.
  it(
    'shows campaign and vehicle states, offers, reports and their ingest lag, HTTP latency, pool and broker moving',
    { timeout: 120_000 },
    async () => {
      const { db, blobs, keys } = h;
      const metrics = new BackendMetrics(h.testDb.db);
      const app = createApp({ db: h.testDb.db, blobDir: h.dir, metrics });
      const scrape = async () => {
        const res = await app.request('/metrics');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        return res.text();
      };

      const { base, vehicles, campaignId } = await seedDeltaCampaign(db, blobs, keys, {
        prefix: 'MET',
        count: VEHICLES,
        hardwareId: HW,
        imageBytes: 32 * 1024,
        pacingPerMinute: 600,
      });

      const before = await scrape();
      expect(value(before, 'ota_campaigns{state="approved"}')).toBe(1);
      expect(value(before, 'ota_campaign_vehicles{state="pending"}')).toBe(VEHICLES);
      expect(value(before, 'ota_offers_dispatched')).toBe(0);
      expect(value(before, 'ota_reports_ingested{kind="result"}')).toBe(0);
      expect(value(before, 'ota_broker_connected')).toBe(0);

      service = await startDeliveryService({
        db: h.testDb.db,
        keys,
        blobs,
        brokerUrl: h.brokerUrl,
        clientId: `metrics-test-${runId}`,
        sharedGroup: `metrics${runId}`,
        log: () => {},
        dispatcher: { tickMs: 100, batchSize: 50 },
        ingester: { flushMs: 30, maxBatch: 200 },
      });
      const running = service;
      metrics.attach({
        brokerConnected: () => running.broker.mqtt.connected,
        brokerDroppedAtMostOnce: () => running.broker.droppedAtMostOnce,
        ingester: running.ingester,
      });
      fleet = await startFleet({
        url: h.brokerUrl,
        vehicles: vehicles.map((v) => ({
          vin: v.vin,
          ecus: [{ serial: 'ECU-1', hardwareId: HW, version: '1.0.0', imageSha256: base.sha256 }],
        })),
        trusted: {
          image: trustRoot('image', (await latestMetadata(db, 'image', '', 'root'))!.bytes),
          director: trustRoot('director', (await latestMetadata(db, 'director', '', 'root'))!.bytes),
        },
        failRate: 0,
      });
      await startCampaign(db, campaignId);

      const during = await scrape();
      expect(value(during, 'ota_campaigns{state="running"}')).toBe(1);
      expect(value(during, 'ota_broker_connected')).toBe(1);
      expect(during).toMatch(/^ota_broker_qos0_dropped 0$/m); // 12 vehicles never congest the socket
      // A route with a parameter is one series under its pattern, whatever the id.
      const { token } = await createAdminToken(h.testDb.db, `metrics-${runId}`);
      for (const id of [campaignId, campaignId + 1000])
        await app.request(`/api/campaigns/${id}`, { headers: { authorization: `Bearer ${token}` } });

      await fleet.waitForFinished(VEHICLES, 60_000);
      let after = '';
      await waitFor(
        'the campaign to complete in /metrics',
        async () => {
          after = await scrape();
          return value(after, 'ota_campaigns{state="completed"}') === 1;
        },
        60_000,
      );
      expect(value(after, 'ota_campaign_vehicles{state="succeeded"}')).toBe(VEHICLES);
      expect(value(after, 'ota_campaign_vehicles{state="pending"}')).toBe(0);
      expect(value(after, 'ota_offers_dispatched')).toBeGreaterThanOrEqual(VEHICLES);
      expect(value(after, 'ota_reports_ingested{kind="result"}')).toBeGreaterThanOrEqual(VEHICLES);
      expect(value(after, 'ota_instance_reports_ingested')).toBeGreaterThanOrEqual(VEHICLES);
      // Every scrape so far is in the latency histogram under its route pattern.
      expect(
        value(after, 'ota_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}'),
      ).toBeGreaterThanOrEqual(2);
      // Ingest lag: every committed result observed, from its receipt to its commit (never 0: a batch waits
      // flushMs before its write).
      const lagCount = value(after, 'ota_ingest_lag_seconds_count{kind="result"}');
      expect(lagCount).toBeGreaterThanOrEqual(VEHICLES);
      expect(value(after, 'ota_ingest_lag_seconds_sum{kind="result"}')).toBeGreaterThan(0);
      expect(value(after, 'ota_ingest_lag_seconds_bucket{le="+Inf",kind="result"}')).toBe(lagCount);
      expect(value(after, 'ota_ingest_lag_seconds_count{kind="progress"}')).toBeGreaterThan(0);
      const campaignRoute = 'ota_http_request_duration_seconds_count{method="GET",route="/api/campaigns/:id"';
      expect(value(after, `${campaignRoute},status="200"}`)).toBe(1);
      expect(value(after, `${campaignRoute},status="404"}`)).toBe(1);
      if (h.testDb.engine === 'postgresql')
        expect(value(after, 'ota_db_pool_connections{kind="total"}')).toBeGreaterThanOrEqual(1);

      // Delivery stopped: the broker connection reads 0.
      await service.stop({ leaveGroup: true });
      service = undefined;
      expect(value(await scrape(), 'ota_broker_connected')).toBe(0);
    },
  );
});
