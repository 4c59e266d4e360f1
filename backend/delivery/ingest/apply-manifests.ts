import { gatewayKeyToHex } from '@ota/protocol';
import { sql } from 'kysely';
import type { QueryExecutorProvider } from 'kysely';
import { checkManifestCounter, ManifestVerificationError, verifyVehicleManifest } from '@ota/protocol/manifest';
import type { VehicleManifest } from '@ota/protocol/manifest';
import { ed25519PublicKey } from '@ota/protocol/keys';
import type { Db } from '../../db/database.ts';
import type { Rejection } from './rejections.ts';
import type { ResultReport } from './apply-results.ts';

export interface ReceivedManifest {
  readonly vin: string;
  readonly topic: string;
  /** The decoded JSON envelope, not yet trusted. */
  readonly envelope: unknown;
}

export interface AppliedManifests {
  /** Vehicles whose manifest was accepted (they are online now: re-offer what they missed). */
  readonly accepted: readonly string[];
  readonly rejected: readonly Rejection[];
  /** Outcomes of the last update carried in accepted manifests, to apply like results. */
  readonly lastUpdates: readonly ResultReport[];
}

/**
 * Verifies a batch of version manifests against the keys registered for the vehicles (one query),
 * refuses a bad signature, an unknown vehicle and a counter that did not go up, then records the
 * newest counter and each ECU's running version (with its history), all set-based.
 */
export async function applyManifests(
  db: Db,
  received: readonly ReceivedManifest[],
  now: Date = new Date(),
): Promise<AppliedManifests> {
  if (received.length === 0) return { accepted: [], rejected: [], lastUpdates: [] };
  const vins = [...new Set(received.map((m) => m.vin))];
  const vehicles = await db
    .selectFrom('vehicles')
    .leftJoin('vehicle_manifest_counters as c', 'c.vin', 'vehicles.vin')
    .select(['vehicles.vin', 'vehicles.gateway_public_key', 'vehicles.lifecycle', 'c.counter'])
    .where('vehicles.vin', 'in', vins)
    .execute();
  const byVin = new Map(vehicles.map((v) => [v.vin, v]));
  const lastCounter = new Map(vehicles.filter((v) => v.counter !== null).map((v) => [v.vin, Number(v.counter)]));
  const rejected: Rejection[] = [];
  const newest = new Map<string, VehicleManifest>();
  for (const m of received) {
    const verdict = verifyReceived(m, byVin.get(m.vin), lastCounter.get(m.vin));
    if (typeof verdict === 'string') {
      rejected.push({ vin: m.vin, topic: m.topic, reason: verdict });
      continue;
    }
    lastCounter.set(m.vin, verdict.counter);
    newest.set(m.vin, verdict);
  }
  const accepted = [...newest.values()];
  if (accepted.length > 0) await db.transaction().execute((trx) => recordAccepted(trx, accepted, now));
  return { accepted: accepted.map((m) => m.vin), rejected, lastUpdates: lastUpdatesOf(accepted) };
}

interface RegisteredVehicle {
  gateway_public_key: string | null;
  lifecycle: string;
}

/** The verified manifest, or why it is refused: unknown vehicle, no usable key, isolated, bad signature, old counter. */
function verifyReceived(
  m: ReceivedManifest,
  vehicle: RegisteredVehicle | undefined,
  lastCounter: number | undefined,
): VehicleManifest | string {
  if (!vehicle || !vehicle.gateway_public_key) {
    return vehicle ? 'vehicle has no registered gateway key' : 'unknown vehicle';
  }
  if (vehicle.lifecycle === 'isolated') return 'vehicle is isolated';
  const keyHex = gatewayKeyToHex(vehicle.gateway_public_key);
  if (!keyHex) return 'the registered gateway key is not an Ed25519 public key';
  try {
    const manifest = verifyVehicleManifest(m.envelope, ed25519PublicKey(keyHex));
    if (manifest.vin !== m.vin)
      throw new ManifestVerificationError('malformed', `manifest names ${manifest.vin}, sent on ${m.vin}'s topic`);
    checkManifestCounter(manifest, lastCounter);
    return manifest;
  } catch (error) {
    if (!(error instanceof ManifestVerificationError)) throw error;
    return error.message;
  }
}

/** The newest counters, and each ECU's running version where it changed (with its history). */
async function recordAccepted(trx: QueryExecutorProvider, accepted: readonly VehicleManifest[], now: Date) {
  await sql`
    INSERT INTO vehicle_manifest_counters (vin, counter, received_at)
    SELECT vin, counter, ${now} FROM unnest(${accepted.map((m) => m.vin)}::text[], ${accepted.map((m) => m.counter)}::bigint[]) AS u(vin, counter)
    ON CONFLICT (vin) DO UPDATE SET counter = excluded.counter, received_at = excluded.received_at
    WHERE vehicle_manifest_counters.counter < excluded.counter`.execute(trx);
  const ecus = accepted.flatMap((m) => m.ecus.map((e) => ({ vin: m.vin, ...e })));
  await sql`
    WITH u AS (
      SELECT * FROM unnest(${ecus.map((e) => e.vin)}::text[], ${ecus.map((e) => e.serial)}::text[],
                           ${ecus.map((e) => e.version)}::text[], ${ecus.map((e) => e.imageSha256)}::text[])
        AS u(vin, serial, version, sha256)
    ), changed AS (
      SELECT e.id, e.vin, e.serial, e.hardware_id, e.installed_version AS from_version, u.version, u.sha256
      FROM ecus e JOIN u ON e.vin = u.vin AND e.serial = u.serial
      WHERE e.installed_version <> u.version OR e.image_sha256 IS DISTINCT FROM u.sha256
      FOR UPDATE OF e
    ), upd AS (
      UPDATE ecus e SET installed_version = changed.version, image_sha256 = changed.sha256, updated_at = ${now}
      FROM changed WHERE e.id = changed.id
    )
    INSERT INTO ecu_version_history (vin, ecu_serial, hardware_id, from_version, to_version, image_sha256, source, at)
    SELECT vin, serial, hardware_id, from_version, version, sha256, 'version_manifest', ${now} FROM changed`.execute(
    trx,
  );
}

/** Outcomes of the last update the manifests carry, to apply like results. */
function lastUpdatesOf(accepted: readonly VehicleManifest[]): ResultReport[] {
  const lastUpdates: ResultReport[] = [];
  for (const m of accepted) {
    const last = m.lastUpdate;
    if (!last || !/^\d{1,9}$/.test(last.campaignId)) continue;
    lastUpdates.push({
      vin: m.vin,
      campaignId: Number(last.campaignId),
      reportId: 'manifest-last-update',
      outcome: last.outcome,
      ecus: last.ecus,
    });
  }
  return lastUpdates;
}
