/**
 * Fleet-scale delivery: a one-wave campaign for N vehicles (--vehicles, default 10,000) against
 * real PostgreSQL (DATABASE_URL) and an MQTT broker (MQTT_URL). Measures the time from approval
 * to the last offer acknowledged by the broker, offers/s, result reports ingested/s (published
 * by 4 in-process clients as fast as they can) and peak memory of this process, beside the
 * broker's raw rate: one mqtt.js client publishing QoS 1 messages of an offer's size.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import type { Db } from '../backend/db/database.ts';
import { BlobStore } from '../backend/blobs/store.ts';
import { startDeliveryService } from '../backend/delivery/service.ts';
import { ensureDevKeySet } from '../backend/keys/generate.ts';
import { loadKeySet } from '../backend/keys/key-set.ts';
import { publishImageRepository } from '../backend/tuf-repo/image-repository.ts';
import { ensureRoot } from '../backend/tuf-repo/root.ts';
import { encodeMessage, vehicleTopic } from '@ota/protocol/messages';
import { formatExpires } from '@ota/protocol/tuf';
import {
  insertAuthorisedRelease,
  insertCampaign,
  insertUsers,
  startCampaign,
} from '../test/integration/delivery/fixtures.ts';
import { destroyTestDatabase } from '../test/integration/delivery/harness.ts';
import { createTestDatabase } from '../test/support/db.ts';

const vinOf = (i: number) => `BENCH${String(i).padStart(12, '0')}`;

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One mqtt.js client publishing `count` QoS 1 messages of `size` bytes, 1000 in flight. */
async function brokerRawRate(url: string, count: number, size: number): Promise<number> {
  const client = await mqtt.connectAsync(url, { clientId: `bench-raw-${randomBytes(4).toString('hex')}` });
  const payload = randomBytes(size);
  const start = performance.now();
  for (let i = 0; i < count; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(count, i + 1000); k++)
      batch.push(client.publishAsync(`bench/raw/${k % 1000}`, payload, { qos: 1 }));
    await Promise.all(batch);
  }
  const rate = count / ((performance.now() - start) / 1000);
  await client.endAsync();
  return rate;
}

function vehiclesArg(args: string[]): number {
  const at = args.indexOf('--vehicles');
  const vehicles = at >= 0 ? Number(args[at + 1]) : 10_000;
  if (!Number.isSafeInteger(vehicles) || vehicles < 1 || vehicles > 10_000_000)
    throw new Error(`--vehicles must be a positive integer, got ${args[at + 1]}`);
  return vehicles;
}

/** Fleet, release, keys, repositories and a one-wave campaign for every vehicle, set-based. */
async function seedCampaign(db: Db, dir: string, vehicles: number) {
  const users = await insertUsers(db);
  await db.insertInto('vehicle_models').values({ id: 'bench', name: 'Bench' }).execute();
  const blobs = new BlobStore(join(dir, 'blobs'));
  const baseImage = randomBytes(256 * 1024);
  const newImage = Buffer.from(baseImage);
  newImage.fill(1, 5000, 9000);
  const base = await blobs.put(baseImage);
  await sql`INSERT INTO vehicles (vin, model_id, model_year, region, tags)
    SELECT 'BENCH' || lpad(i::text, 12, '0'), 'bench', 2024, 'EU', '{}' FROM generate_series(1, ${vehicles}) i`.execute(
    db,
  );
  await sql`INSERT INTO ecus (vin, serial, name, hardware_id, installed_version, image_sha256)
    SELECT 'BENCH' || lpad(i::text, 12, '0'), 'ECU-1', 'engine', 'HW-BENCH', '1.0.0', ${base.sha256} FROM generate_series(1, ${vehicles}) i`.execute(
    db,
  );
  const release = await insertAuthorisedRelease(db, blobs, {
    hardwareId: 'HW-BENCH',
    version: '2.0.0',
    image: newImage,
    createdBy: users.creator,
  });
  await ensureDevKeySet(join(dir, 'keys'));
  const keys = await loadKeySet(join(dir, 'keys'), {});
  await publishImageRepository(db, keys);
  await ensureRoot(db, keys, 'director', new Date());
  const vins = Array.from({ length: vehicles }, (_, i) => vinOf(i + 1));
  const { campaignId } = await insertCampaign(db, {
    releaseIds: [release.releaseId],
    vins,
    waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 }],
    users,
    pacingPerMinute: 1_000_000_000,
  });
  return { blobs, keys, campaignId };
}

function offerSize(campaignId: number): number {
  return encodeMessage('offer', {
    campaignId: String(campaignId),
    offeredAt: formatExpires(new Date()),
    downloadBytes: 12345,
    attempt: 1,
  }).length;
}

function resultOf(campaignId: number, j: number): Uint8Array {
  return encodeMessage('result', {
    campaignId: String(campaignId),
    resultId: `bench-${j}-result`,
    outcome: 'succeeded',
    ecus: [
      {
        ecuSerial: 'ECU-1',
        fromVersion: '1.0.0',
        toVersion: '2.0.0',
        result: 'succeeded',
        bytesOnBus: 4000,
        durationMs: 1000,
      },
    ],
    finishedAt: formatExpires(new Date()),
  });
}

/** Every vehicle reports its result; 4 clients publish them as fast as they can. Seconds until all are ingested. */
async function reportResults(mqttUrl: string, runId: string, db: Db, campaignId: number, vehicles: number) {
  const publishers = await Promise.all(
    [0, 1, 2, 3].map((k) => mqtt.connectAsync(mqttUrl, { clientId: `bench-gw-${runId}-${k}`, protocolVersion: 5 })),
  );
  const reported = performance.now();
  await Promise.all(
    publishers.map(async (client, k) => {
      for (let i = k; i < vehicles; i += 4 * 500) {
        const batch = [];
        for (let j = i; j < Math.min(vehicles, i + 4 * 500); j += 4) {
          const topic = vehicleTopic(vinOf(j + 1), 'result');
          batch.push(client.publishAsync(topic, Buffer.from(resultOf(campaignId, j)), { qos: 1 }));
        }
        await Promise.all(batch);
      }
    }),
  );
  await until(async () => {
    const row = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM campaign_vehicles WHERE campaign_id = ${campaignId} AND state = 'succeeded'`.execute(
      db,
    );
    return Number(row.rows[0]!.n) >= vehicles;
  }, 'every result to be ingested');
  const seconds = (performance.now() - reported) / 1000;
  await Promise.all(publishers.map((p) => p.endAsync()));
  return seconds;
}

function printTable(rows: [string, string][]): void {
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`| ${'measure'.padEnd(width)} | value |\n| ${'-'.repeat(width)} | --- |`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
}

export default async function fleetBench(args: string[]): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const mqttUrl = process.env.MQTT_URL;
  if (!databaseUrl || !mqttUrl) {
    console.log(
      'fleet bench: needs real PostgreSQL and an MQTT broker; set DATABASE_URL and MQTT_URL (skipped, nothing measured)',
    );
    return;
  }
  const vehicles = vehiclesArg(args);
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
  const testDb = await createTestDatabase();
  const db = testDb.db;
  try {
    const { blobs, keys, campaignId } = await seedCampaign(db, dir, vehicles);
    const size = offerSize(campaignId);
    const rawRate = await brokerRawRate(mqttUrl, Math.min(vehicles, 50_000), size);

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const runId = randomBytes(4).toString('hex');
    const service = await startDeliveryService({
      db: testDb.db,
      keys,
      blobs,
      brokerUrl: mqttUrl,
      clientId: `bench-${runId}`,
      sharedGroup: `bench${runId}`,
      log: (line) => (/failed[,:]/.test(line) ? console.error(line) : undefined),
      dispatcher: { tickMs: 20, batchSize: 5000 },
      ingester: { flushMs: 50, maxBatch: 5000 },
    });

    // Approval -> running -> last offer acknowledged by the broker.
    const approved = performance.now();
    await startCampaign(db, campaignId);
    await service.dispatcher.tick();
    await until(() => service.dispatcher.offersSent >= vehicles, 'every offer');
    const offersSeconds = (performance.now() - approved) / 1000;
    const reportSeconds = await reportResults(mqttUrl, runId, db, campaignId, vehicles);
    clearInterval(sampler);
    await service.stop({ leaveGroup: true });

    printTable([
      ['vehicles', vehicles.toLocaleString('en')],
      ['approval -> last offer acknowledged', `${offersSeconds.toFixed(2)} s`],
      ['offers/s (backend: claim in SQL + QoS 1 publish)', Math.round(vehicles / offersSeconds).toLocaleString('en')],
      [`broker raw QoS 1 publishes/s (1 client, ${size} B)`, Math.round(rawRate).toLocaleString('en')],
      ['result reports ingested/s (publish -> committed)', Math.round(vehicles / reportSeconds).toLocaleString('en')],
      ['peak RSS of this process (backend + bench clients)', `${Math.round(peakRss / 1024 / 1024)} MB`],
    ]);
  } finally {
    await destroyTestDatabase(testDb);
    await rm(dir, { recursive: true, force: true });
  }
}
