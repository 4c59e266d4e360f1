import { randomBytes } from 'node:crypto';
/** Rows the delivery tests need, written straight into the domain's tables (tests only). */
import { addTargetVehicles } from '../../../backend/campaigns/vehicle-moves.ts';
import { gatewayKeyFromHex } from '@ota/protocol';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { generateEd25519Signer } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';
import type { BlobStore } from '../../../backend/blobs/store.ts';
import type { Db } from '../../../backend/db/database.ts';
import { fleetVin } from '../../../fleet-sim/vins.ts';
import { simVehicleKey } from '../../../fleet-sim/fleet.ts';
import type { KeySet } from '../../../backend/keys/key-set.ts';
import { publishImageRepository } from '../../../backend/tuf-repo/image-repository.ts';
import { ensureRoot } from '../../../backend/tuf-repo/root.ts';
import { latestMetadata } from '../../../backend/tuf-repo/metadata-store.ts';
import { trustRoot } from '@ota/protocol/tuf';
import { startFleet } from '../../../fleet-sim/fleet.ts';
import type { Fleet } from '../../../fleet-sim/fleet.ts';

/** A valid, deterministic 17-character VIN for index `i`. */
export function testVin(prefix: string, i: number): string {
  return fleetVin(prefix, i);
}

/**
 * A VIN prefix of `tag` and the run's id (hex, as `randomBytes(n).toString('hex')` makes it), 9
 * characters in all: two runs at the same time on one broker then never answer each other's vehicles.
 */
export function runVinPrefix(tag: string, runId: string): string {
  return `${tag}${runId}`.toUpperCase().slice(0, 9);
}

export async function insertUsers(db: Db): Promise<{ creator: number; approver: number }> {
  const rows = await db
    .insertInto('users')
    .values([
      { name: `creator-${Math.random()}`, roles: ['campaign_manager', 'release_engineer'] },
      { name: `approver-${Math.random()}`, roles: ['approver'] },
    ])
    .returning('id')
    .execute();
  return { creator: rows[0]!.id, approver: rows[1]!.id };
}

export interface TestRelease {
  readonly releaseId: number;
  readonly hardwareId: string;
  readonly version: string;
  readonly image: Uint8Array;
  readonly sha256: string;
}

/** An authorised release of one image for `hardwareId`, its bytes in the blob store. */
export async function insertAuthorisedRelease(
  db: Db,
  blobs: BlobStore,
  opts: { hardwareId: string; version: string; image: Uint8Array; createdBy: number },
): Promise<TestRelease> {
  const stored = await blobs.put(opts.image);
  const { id } = await db
    .insertInto('releases')
    .values({
      hardware_id: opts.hardwareId,
      version: opts.version,
      supplier: 'Test Supplier',
      state: 'authorized',
      created_by: opts.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('release_images')
    .values({
      release_id: id,
      sha256: stored.sha256,
      length: stored.length,
      file_name: `app-${opts.version}.bin`,
      hardware_ids: [opts.hardwareId],
      version: opts.version,
    })
    .execute();
  return {
    releaseId: id,
    hardwareId: opts.hardwareId,
    version: opts.version,
    image: opts.image,
    sha256: stored.sha256,
  };
}

export interface TestVehicle {
  readonly vin: string;
  readonly signer: Signer;
  readonly baseSha256: string | null;
}

/**
 * `count` vehicles of one model, each with one ECU `ECU-1` of `hardwareId` running `baseVersion`
 * (image `baseSha256`) and its own Ed25519 gateway key. Set-based inserts.
 */
export async function insertFleet(
  db: Db,
  opts: {
    prefix: string;
    count: number;
    hardwareId: string;
    baseVersion: string;
    /** The image each vehicle's ECU runs (by index); null when unknown. */
    baseSha256: (i: number) => string | null;
    /** The gateway key of a VIN; a fresh random key when absent. */
    keyFor?: (vin: string) => Signer;
  },
): Promise<TestVehicle[]> {
  await db
    .insertInto('vehicle_models')
    .values({ id: 'model-t', name: 'Model T' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const vehicles: TestVehicle[] = [];
  for (let i = 0; i < opts.count; i++) {
    const vin = testVin(opts.prefix, i);
    const signer = opts.keyFor ? opts.keyFor(vin) : generateEd25519Signer().signer;
    vehicles.push({ vin, signer, baseSha256: opts.baseSha256(i) });
  }
  for (let i = 0; i < vehicles.length; i += 1000) {
    const chunk = vehicles.slice(i, i + 1000);
    await db
      .insertInto('vehicles')
      .values(
        chunk.map((v) => ({
          vin: v.vin,
          model_id: 'model-t',
          model_year: 2024,
          region: 'EU',
          tags: [],
          gateway_public_key: gatewayKeyFromHex(v.signer.publicKey.keyval.public),
        })),
      )
      .execute();
    await db
      .insertInto('ecus')
      .values(
        chunk.map((v) => ({
          vin: v.vin,
          serial: 'ECU-1',
          name: 'engine',
          hardware_id: opts.hardwareId,
          installed_version: opts.baseVersion,
          image_sha256: v.baseSha256,
        })),
      )
      .execute();
  }
  return vehicles;
}

export interface TestCampaign {
  readonly campaignId: number;
}

/**
 * An approved campaign for `releaseIds` over `vins`, split into waves by cumulative percent,
 * every vehicle `pending`. Set-based: the wave of each vehicle is computed in SQL from its rank.
 */
export async function insertCampaign(
  db: Db,
  opts: {
    releaseIds: number[];
    vins: string[];
    waves: { cumulativePercent: number; errorThreshold: number; successThreshold: number }[];
    users: { creator: number; approver: number };
    pacingPerMinute?: number;
  },
): Promise<TestCampaign> {
  const { id } = await db
    .insertInto('campaigns')
    .values({
      name: `campaign-${Math.random()}`,
      kind: 'security_patch',
      state: 'approved',
      priority: 'high',
      target_filter: JSON.stringify({ vins: [] }),
      install_policy: JSON.stringify({ windows: [], preconditions: [], driverConsentRequired: false }),
      pacing_per_minute: opts.pacingPerMinute ?? 1_000_000,
      created_by: opts.users.creator,
      approved_by: opts.users.approver,
      approved_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (opts.releaseIds.length > 0) {
    await db
      .insertInto('campaign_releases')
      .values(opts.releaseIds.map((release_id) => ({ campaign_id: id, release_id })))
      .execute();
  }
  await db
    .insertInto('campaign_waves')
    .values(
      opts.waves.map((w, i) => ({
        campaign_id: id,
        wave_no: i + 1,
        cumulative_percent: w.cumulativePercent,
        success_threshold: w.successThreshold,
        error_threshold: w.errorThreshold,
        soak_minutes: 0,
      })),
    )
    .execute();
  const total = opts.vins.length;
  const bounds = opts.waves.map((w) => Math.ceil((w.cumulativePercent / 100) * total));
  const caseSql = bounds.map((b, i) => `WHEN rn <= ${b} THEN ${i + 1}`).join(' ');
  for (let i = 0; i < total; i += 5000) {
    const chunk = opts.vins.slice(i, i + 5000);
    await addTargetVehicles(
      db,
      id,
      sql`SELECT vin, CASE ${sql.raw(caseSql)} ELSE ${opts.waves.length} END AS wave_no
      FROM (SELECT vin, ${i} + row_number() OVER (ORDER BY ord) AS rn FROM unnest(${chunk}::text[]) WITH ORDINALITY AS t(vin, ord)) s`,
    );
  }
  return { campaignId: id };
}

/** What the domain does when a campaign starts: running, wave 1 started. */
export async function startCampaign(db: Db, campaignId: number): Promise<void> {
  const now = new Date();
  await db
    .updateTable('campaigns')
    .set({ state: 'running', current_wave: 1, started_at: now })
    .where('id', '=', campaignId)
    .execute();
  await db
    .updateTable('campaign_waves')
    .set({ started_at: now })
    .where('campaign_id', '=', campaignId)
    .where('wave_no', '=', 1)
    .execute();
}

/** One wave for the whole fleet, every vehicle must succeed (the usual wave of the delivery tests). */
const ONE_STRICT_WAVE = [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 }];

export interface RunningCampaign {
  readonly campaignId: number;
  readonly vehicles: TestVehicle[];
  readonly vins: string[];
  readonly users: { creator: number; approver: number };
}

/**
 * A running campaign (wave 1 started) over `count` new vehicles (insertFleet: one ECU-1 of `hardwareId` on
 * 1.0.0, image unknown), every vehicle pending: by default one wave that all must succeed, no release, new users.
 */
export async function runningCampaign(
  db: Db,
  opts: {
    prefix: string;
    count: number;
    hardwareId?: string;
    releaseIds?: number[];
    waves?: { cumulativePercent: number; errorThreshold: number; successThreshold: number }[];
    users?: { creator: number; approver: number };
  },
): Promise<RunningCampaign> {
  const users = opts.users ?? (await insertUsers(db));
  const vehicles = await insertFleet(db, {
    prefix: opts.prefix,
    count: opts.count,
    hardwareId: opts.hardwareId ?? 'HW',
    baseVersion: '1.0.0',
    baseSha256: () => null,
  });
  const vins = vehicles.map((v) => v.vin);
  const { campaignId } = await insertCampaign(db, {
    releaseIds: opts.releaseIds ?? [],
    vins,
    waves: opts.waves ?? ONE_STRICT_WAVE,
    users,
  });
  await startCampaign(db, campaignId);
  return { campaignId, vehicles, vins, users };
}

/**
 * The world of a fleet-simulator campaign: users, one authorised release whose image differs from the
 * fleet's installed one in a few hundred bytes (a small delta), `count` simulated vehicles on the old
 * image, both repositories published, and the approved campaign over all of them.
 */
/** One wave for the whole fleet: success at 90 %, pause at 50 % failures. */
const ONE_TOLERANT_WAVE = [{ cumulativePercent: 100, successThreshold: 0.9, errorThreshold: 0.5 }];

export async function seedDeltaCampaign(
  db: Db,
  blobs: BlobStore,
  keys: KeySet,
  opts: {
    prefix: string;
    count: number;
    hardwareId: string;
    imageBytes: number;
    /** The campaign's waves; by default one wave for the whole fleet with tolerant thresholds. */
    waves?: { cumulativePercent: number; errorThreshold: number; successThreshold: number }[];
    pacingPerMinute: number;
    /** Vehicles that run an image the backend has never seen (they get the full image). */
    unknownBase?: (index: number) => boolean;
  },
) {
  const users = await insertUsers(db);
  const baseImage = randomBytes(opts.imageBytes);
  const newImage = Buffer.from(baseImage);
  newImage.fill(0x5a, 100, 600);
  const base = await blobs.put(baseImage);
  const unknownSha = randomBytes(32).toString('hex');
  const release = await insertAuthorisedRelease(db, blobs, {
    hardwareId: opts.hardwareId,
    version: '2.0.0',
    image: newImage,
    createdBy: users.creator,
  });
  const vehicles = await insertFleet(db, {
    prefix: opts.prefix,
    count: opts.count,
    hardwareId: opts.hardwareId,
    baseVersion: '1.0.0',
    baseSha256: (i) => (opts.unknownBase?.(i) ? unknownSha : base.sha256),
    keyFor: simVehicleKey,
  });
  await publishImageRepository(db, keys);
  await ensureRoot(db, keys, 'director', new Date());
  const { campaignId } = await insertCampaign(db, {
    releaseIds: [release.releaseId],
    vins: vehicles.map((v) => v.vin),
    waves: opts.waves ?? ONE_TOLERANT_WAVE,
    users,
    pacingPerMinute: opts.pacingPerMinute,
  });
  return { users, base, release, vehicles, campaignId };
}

// The fleet simulator, for the tests that run one against a backend (one import path to move with it).
export type { Fleet } from '../../../fleet-sim/fleet.ts';

/**
 * Simulated gateways for a seeded campaign's vehicles (seedDeltaCampaign: one ECU-1 of `hardwareId`
 * on the base image each), trusting both repositories' current roots; none fails its update.
 */
export async function startCampaignFleet(
  db: Db,
  opts: { url: string; vehicles: readonly TestVehicle[]; hardwareId: string; baseSha256: string; resendMs: number },
): Promise<Fleet> {
  const trusted = {
    image: trustRoot('image', (await latestMetadata(db, 'image', '', 'root'))!.bytes),
    director: trustRoot('director', (await latestMetadata(db, 'director', '', 'root'))!.bytes),
  };
  return startFleet({
    url: opts.url,
    vehicles: opts.vehicles.map((v) => ({
      vin: v.vin,
      ecus: [{ serial: 'ECU-1', hardwareId: opts.hardwareId, version: '1.0.0', imageSha256: opts.baseSha256 }],
    })),
    trusted,
    failRate: 0,
    resendMs: opts.resendMs,
  });
}

/** Vehicles of the campaign in a final state (their result stored). */
export async function finishedVehicles(db: Db, campaignId: number): Promise<number> {
  const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM campaign_vehicles
    WHERE campaign_id = ${campaignId} AND state IN ('succeeded', 'failed', 'rolled_back', 'rollback_failed')`.execute(
    db,
  );
  return rows.rows[0]!.n;
}

/**
 * Every one of the campaign's `count` vehicles succeeded and its result was stored exactly once: one
 * move into `succeeded` and one ECU record per vehicle and ECU (names the first that did not succeed).
 */
export async function expectEachSucceededOnce(db: Db, campaignId: number, count: number): Promise<void> {
  const states = await sql<{ state: string; n: number }>`
    SELECT state, count(*)::int AS n FROM campaign_vehicles WHERE campaign_id = ${campaignId} GROUP BY state`.execute(
    db,
  );
  const unfinished = await sql<{ vin: string; state: string; error: string | null }>`
    SELECT vin, state, error FROM campaign_vehicles WHERE campaign_id = ${campaignId} AND state <> 'succeeded'
    LIMIT 5`.execute(db);
  expect(Object.fromEntries(states.rows.map((r) => [r.state, r.n])), JSON.stringify(unfinished.rows)).toEqual({
    succeeded: count,
  });
  const finals = await sql<{ vin: string; n: number }>`
    SELECT vin, count(*)::int AS n FROM campaign_vehicle_events
    WHERE campaign_id = ${campaignId} AND to_state = 'succeeded' GROUP BY vin`.execute(db);
  expect(finals.rows).toHaveLength(count);
  expect(finals.rows.filter((r) => r.n !== 1)).toEqual([]);
  const ecus = await sql<{ vin: string; serial: string; n: number }>`
    SELECT vin, ecu_serial AS serial, count(*)::int AS n FROM campaign_ecus
    WHERE campaign_id = ${campaignId} AND result = 'succeeded' GROUP BY vin, ecu_serial`.execute(db);
  expect(ecus.rows).toHaveLength(count);
  expect(ecus.rows.filter((r) => r.n !== 1)).toEqual([]);
}
