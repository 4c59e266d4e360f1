import { sql } from 'kysely';
import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Asil, EcuExposure, VehicleLifecycle } from './types.ts';
import type { EcusTable, VehiclesTable } from './tables.ts';
import { applyAudited, transitionAudited } from '../audit/audited-change.ts';
import { appendAudit } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import { notFound } from '../http/problem.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import type { Page, PageQuery } from '../http/pagination.ts';
import { canMoveLifecycle, UNTARGETABLE_LIFECYCLES } from './lifecycle.ts';
import { moveWaitingVehicles } from '../campaigns/vehicle-moves.ts';

export interface VehicleModelInput {
  id: string;
  name: string;
  endOfSupport: string | null;
}
export interface EcuInput {
  serial: string;
  name: string;
  hardwareId: string;
  installedVersion: string;
  imageSha256: string | null;
  asil: Asil | null;
  exposure: EcuExposure | null;
}
export interface VehicleInput {
  vin: string;
  modelId: string;
  modelYear: number;
  region: string;
  ownerRef: string | null;
  tags: string[];
  gatewayPublicKey: string | null;
  timeZone: string;
  ecus: EcuInput[];
}
export interface Ecu extends EcuInput {
  updatedAt: string;
}
export interface Vehicle extends Omit<VehicleInput, 'ecus'> {
  lifecycle: VehicleLifecycle;
  createdAt: string;
  updatedAt: string;
  ecus: Ecu[];
}

export async function createVehicleModel(db: Db, actor: Actor, input: VehicleModelInput) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('vehicle_models')
      .values({ id: input.id, name: input.name, end_of_support: input.endOfSupport })
      .returningAll()
      .executeTakeFirstOrThrow();
    const model = toModel(row);
    await appendAudit(trx, {
      actor,
      action: 'vehicle_model.create',
      entityType: 'vehicle_model',
      entityId: row.id,
      after: model,
    });
    return model;
  });
}

function toModel(row: { id: string; name: string; end_of_support: Date | null }) {
  return { id: row.id, name: row.name, endOfSupport: row.end_of_support ? isoDate(row.end_of_support) : null };
}

function isoDate(d: Date): string {
  // `date` columns come back as local-midnight Dates; format them without a time-zone shift.
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export async function listVehicleModels(db: Db, page: PageQuery) {
  const after = decodeCursor<string>(page.cursor, 'string');
  const rows = await db
    .selectFrom('vehicle_models')
    .selectAll()
    .$if(after !== null, (q) => q.where('id', '>', after ?? ''))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (r) => r.id, toModel);
}

export async function registerVehicle(db: Db, actor: Actor, input: VehicleInput): Promise<Vehicle> {
  return db.transaction().execute((trx) =>
    applyAudited(
      trx,
      { actor, action: 'vehicle.register', entityType: 'vehicle', entityId: input.vin },
      {
        apply: async () => {
          await insertVehicleRows(trx, input);
          return loadVehicle(trx, input.vin);
        },
        after: (vehicle) => vehicle,
      },
    ),
  );
}

/** The vehicle, its ECUs and their first version-history rows (source `registration`). */
async function insertVehicleRows(trx: Transaction<Database>, input: VehicleInput): Promise<void> {
  await trx
    .insertInto('vehicles')
    .values({
      vin: input.vin,
      model_id: input.modelId,
      model_year: input.modelYear,
      region: input.region,
      owner_ref: input.ownerRef,
      tags: input.tags,
      gateway_public_key: input.gatewayPublicKey,
      time_zone: input.timeZone,
    })
    .execute();
  if (input.ecus.length > 0) {
    await trx
      .insertInto('ecus')
      .values(
        input.ecus.map((e) => ({
          vin: input.vin,
          serial: e.serial,
          name: e.name,
          hardware_id: e.hardwareId,
          installed_version: e.installedVersion,
          image_sha256: e.imageSha256,
          asil: e.asil,
          exposure: e.exposure,
        })),
      )
      .execute();
    await trx
      .insertInto('ecu_version_history')
      .values(
        input.ecus.map((e) => ({
          vin: input.vin,
          ecu_serial: e.serial,
          hardware_id: e.hardwareId,
          from_version: null,
          to_version: e.installedVersion,
          image_sha256: e.imageSha256,
          source: 'registration',
        })),
      )
      .execute();
  }
}

type VehicleRow = Selectable<VehiclesTable>;
type EcuRow = Selectable<EcusTable>;

function toVehicle(v: VehicleRow, ecus: EcuRow[]): Vehicle {
  return {
    vin: v.vin,
    modelId: v.model_id,
    modelYear: v.model_year,
    region: v.region,
    ownerRef: v.owner_ref,
    tags: v.tags,
    gatewayPublicKey: v.gateway_public_key,
    timeZone: v.time_zone,
    lifecycle: v.lifecycle,
    createdAt: v.created_at.toISOString(),
    updatedAt: v.updated_at.toISOString(),
    ecus: ecus.map((e) => ({
      serial: e.serial,
      name: e.name,
      hardwareId: e.hardware_id,
      installedVersion: e.installed_version,
      imageSha256: e.image_sha256,
      asil: e.asil,
      exposure: e.exposure,
      updatedAt: e.updated_at.toISOString(),
    })),
  };
}

export async function loadVehicle(db: Db, vin: string): Promise<Vehicle> {
  const v = await db.selectFrom('vehicles').selectAll().where('vin', '=', vin).executeTakeFirst();
  if (!v) throw notFound('vehicle', vin);
  const ecus = await db.selectFrom('ecus').selectAll().where('vin', '=', vin).orderBy('serial').execute();
  return toVehicle(v, ecus);
}

export interface VehicleListFilter {
  modelId?: string | undefined;
  region?: string | undefined;
  lifecycle?: VehicleLifecycle | undefined;
  tag?: string | undefined;
  hardwareId?: string | undefined;
  modelYear?: number | undefined;
  /** An ECU runs this version (of the hardware id, when one is given). */
  installedVersion?: string | undefined;
  /** The VIN starts with this. */
  vinPrefix?: string | undefined;
}

/** One page of vehicles (ordered by VIN) with their ECUs, two queries per page. */
export async function listVehicles(db: Db, filter: VehicleListFilter, page: PageQuery): Promise<Page<Vehicle>> {
  const after = decodeCursor<string>(page.cursor, 'string');
  const rows = await db
    .selectFrom('vehicles as v')
    .selectAll('v')
    .$if(after !== null, (q) => q.where('v.vin', '>', after ?? ''))
    .$if(filter.modelId !== undefined, (q) => q.where('v.model_id', '=', filter.modelId ?? ''))
    .$if(filter.region !== undefined, (q) => q.where('v.region', '=', filter.region ?? ''))
    .$if(filter.lifecycle !== undefined, (q) => q.where('v.lifecycle', '=', filter.lifecycle ?? 'active'))
    .$if(filter.tag !== undefined, (q) => q.where(sql<boolean>`${filter.tag ?? ''} = ANY(v.tags)`))
    .$if(filter.modelYear !== undefined, (q) => q.where('v.model_year', '=', filter.modelYear ?? 0))
    .$if(filter.vinPrefix !== undefined, (q) =>
      q.where('v.vin', 'like', `${(filter.vinPrefix ?? '').replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`),
    )
    .$if(filter.hardwareId !== undefined || filter.installedVersion !== undefined, (q) =>
      q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('ecus as e')
            .select('e.id')
            .whereRef('e.vin', '=', 'v.vin')
            .$if(filter.hardwareId !== undefined, (e) => e.where('e.hardware_id', '=', filter.hardwareId ?? ''))
            .$if(filter.installedVersion !== undefined, (e) =>
              e.where('e.installed_version', '=', filter.installedVersion ?? ''),
            ),
        ),
      ),
    )
    .orderBy('v.vin')
    .limit(page.limit + 1)
    .execute();
  const vins = rows.slice(0, page.limit).map((r) => r.vin);
  const ecus = vins.length
    ? await db.selectFrom('ecus').selectAll().where('vin', 'in', vins).orderBy('serial').execute()
    : [];
  return toPage(
    rows,
    page.limit,
    (r) => r.vin,
    (r) =>
      toVehicle(
        r,
        ecus.filter((e) => e.vin === r.vin),
      ),
  );
}

export interface LifecycleChange {
  to: VehicleLifecycle;
  reason: string;
  /** For an ownership transfer: the new owner's reference (owner data is otherwise reset). */
  newOwnerRef?: string | null | undefined;
  /** For an ownership transfer: the re-issued gateway key, if already known. */
  newGatewayPublicKey?: string | null | undefined;
}

/**
 * Moves a vehicle through its fleet lifecycle. Isolating or retiring a vehicle also cancels its
 * not-yet-installing campaign entries; an ownership transfer resets owner data and credentials.
 */
export async function changeVehicleLifecycle(
  db: Db,
  actor: Actor,
  vin: string,
  change: LifecycleChange,
): Promise<Vehicle> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('vehicles').selectAll().where('vin', '=', vin).forUpdate().executeTakeFirst();
    if (!current) throw notFound('vehicle', vin);
    const move = { what: `vehicle ${vin}`, from: current.lifecycle, to: change.to };
    const head = { actor, action: 'vehicle.lifecycle', entityType: 'vehicle', entityId: vin, reason: change.reason };
    let cancelledCampaignEntries = 0;
    return transitionAudited(trx, { ...move, legal: canMoveLifecycle(current.lifecycle, change.to) }, head, {
      before: {
        lifecycle: current.lifecycle,
        ownerRef: current.owner_ref,
        gatewayPublicKey: current.gateway_public_key,
      },
      apply: async () => {
        const transfer = change.to === 'ownership_transferred';
        await trx
          .updateTable('vehicles')
          .set({
            lifecycle: change.to,
            updated_at: new Date(),
            ...(transfer
              ? { owner_ref: change.newOwnerRef ?? null, gateway_public_key: change.newGatewayPublicKey ?? null }
              : {}),
          })
          .where('vin', '=', vin)
          .execute();
        if (UNTARGETABLE_LIFECYCLES.includes(change.to))
          cancelledCampaignEntries = await cancelWaiting(trx, vin, change.to);
        return loadVehicle(trx, vin);
      },
      after: (after) => ({
        lifecycle: after.lifecycle,
        ownerRef: after.ownerRef,
        gatewayPublicKey: after.gatewayPublicKey,
      }),
      details: () => ({ cancelledCampaignEntries }),
    });
  });
}

/** An isolated or retired vehicle's campaign entries not yet downloading are cancelled; returns how many. */
async function cancelWaiting(trx: Transaction<Database>, vin: string, lifecycle: VehicleLifecycle): Promise<number> {
  return moveWaitingVehicles(trx, { vin }, 'cancelled', new Date(), `vehicle ${lifecycle}`);
}

export interface InstalledVersionReport {
  serial: string;
  installedVersion: string;
  imageSha256: string | null;
}

/**
 * Records what a vehicle reports as installed (used by delivery for inventory reports). Only ECUs
 * whose version or image changed are written, so a repeated report changes nothing.
 */
export async function recordInstalledVersions(
  db: Db,
  vin: string,
  reports: InstalledVersionReport[],
  source: string,
): Promise<{ changed: number }> {
  if (reports.length === 0) return { changed: 0 };
  const payload = JSON.stringify(
    reports.map((r) => ({ serial: r.serial, version: r.installedVersion, sha: r.imageSha256 })),
  );
  const result = await sql<{ serial: string }>`
    WITH reported AS (
      SELECT * FROM jsonb_to_recordset(${payload}::jsonb) AS r(serial text, version text, sha text)
    ), changed AS (
      SELECT e.id, e.serial, e.hardware_id, e.installed_version AS from_version, r.version, r.sha
      FROM ecus e JOIN reported r ON r.serial = e.serial
      WHERE e.vin = ${vin} AND (e.installed_version <> r.version OR e.image_sha256 IS DISTINCT FROM r.sha)
    ), updated AS (
      UPDATE ecus e SET installed_version = c.version, image_sha256 = c.sha, updated_at = now()
      FROM changed c WHERE e.id = c.id RETURNING e.id
    )
    INSERT INTO ecu_version_history (vin, ecu_serial, hardware_id, from_version, to_version, image_sha256, source)
    SELECT ${vin}, serial, hardware_id, from_version, version, sha, ${source} FROM changed
    RETURNING ecu_serial AS serial`.execute(db);
  return { changed: result.rows.length };
}

export async function vehicleHistory(db: Db, vin: string, page: PageQuery) {
  const after = decodeCursor<number>(page.cursor, 'number');
  const rows = await db
    .selectFrom('ecu_version_history')
    .selectAll()
    .where('vin', '=', vin)
    .$if(after !== null, (q) => q.where('id', '>', String(after ?? 0)))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows,
    page.limit,
    (r) => Number(r.id),
    (r) => ({
      ecuSerial: r.ecu_serial,
      hardwareId: r.hardware_id,
      fromVersion: r.from_version,
      toVersion: r.to_version,
      imageSha256: r.image_sha256,
      source: r.source,
      at: r.at.toISOString(),
    }),
  );
}
