// What the fleet bench starts from, written straight into the database (none of it is measured but the
// fleet insert): the fleet, a user who manages campaigns and one who approves them (with API tokens), and
// an authorised release for each fleet. Campaigns are then made through the API (bench/fleet/api.ts).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../backend/audit/service.ts';
import type { BlobStore } from '../../backend/blobs/store.ts';
import type { Db } from '../../backend/db/database.ts';
import { createUser, issueToken } from '../../backend/users/service.ts';
import { insertAuthorisedRelease } from '../../test/integration/delivery/fixtures.ts';

/** A fleet of one model whose vehicles each have one ECU-1 of `hardwareId` on version 1.0.0. */
export interface BenchFleet {
  /** Five letters that start each VIN; twelve digits (1-based index) end it. */
  readonly prefix: string;
  readonly size: number;
  readonly hardwareId: string;
}

export const vinOf = (fleet: BenchFleet, i: number): string => `${fleet.prefix}${String(i + 1).padStart(12, '0')}`;

/** The 0-based index of a VIN of `fleet`, or -1. */
export function indexOf(fleet: BenchFleet, vin: string): number {
  if (vin.length !== 17 || !vin.startsWith(fleet.prefix)) return -1;
  const i = Number(vin.slice(5)) - 1;
  return Number.isInteger(i) && i >= 0 && i < fleet.size ? i : -1;
}

/** Vehicles and their ECUs, two INSERT ... SELECT over generate_series. */
export async function insertBenchFleet(db: Db, fleet: BenchFleet, baseSha256: string): Promise<void> {
  const model = fleet.prefix.toLowerCase();
  await db.insertInto('vehicle_models').values({ id: model, name: fleet.prefix }).execute();
  const vin = sql`${fleet.prefix} || lpad(i::text, 12, '0')`;
  await sql`INSERT INTO vehicles (vin, model_id, model_year, region, tags)
    SELECT ${vin}, ${model}, 2024, 'EU', '{}' FROM generate_series(1, ${fleet.size}) i`.execute(db);
  await sql`INSERT INTO ecus (vin, serial, name, hardware_id, installed_version, image_sha256)
    SELECT ${vin}, 'ECU-1', 'engine', ${fleet.hardwareId}, '1.0.0', ${baseSha256}
    FROM generate_series(1, ${fleet.size}) i`.execute(db);
}

export interface BenchUsers {
  /** Token of a campaign manager (creates, submits and starts). */
  readonly manager: string;
  /** Token of an approver (four eyes: not the manager). */
  readonly approver: string;
}

export async function insertBenchUsers(db: Db): Promise<BenchUsers> {
  const tokenOf = async (name: string, roles: ('campaign_manager' | 'release_engineer' | 'approver')[]) => {
    const user = await createUser(db, SYSTEM_ACTOR, { name: `${name}-${randomBytes(3).toString('hex')}`, roles });
    return (await issueToken(db, SYSTEM_ACTOR, user.id, 'fleet bench')).token;
  };
  return {
    manager: await tokenOf('bench-manager', ['campaign_manager', 'release_engineer']),
    approver: await tokenOf('bench-approver', ['approver']),
  };
}

/** An authorised release 2.0.0 for each fleet's hardware (a 256 KiB image, 4 KiB of it changed); its id per fleet. */
export async function insertBenchReleases(
  db: Db,
  blobs: BlobStore,
  fleets: readonly BenchFleet[],
): Promise<{ baseSha256: string; releaseIds: number[] }> {
  const baseImage = randomBytes(256 * 1024);
  const newImage = Buffer.from(baseImage);
  newImage.fill(1, 5000, 9000);
  const base = await blobs.put(baseImage);
  const createdBy = (await db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  const releaseIds: number[] = [];
  for (const fleet of fleets) {
    const release = await insertAuthorisedRelease(db, blobs, {
      hardwareId: fleet.hardwareId,
      version: '2.0.0',
      image: newImage,
      createdBy,
    });
    releaseIds.push(release.releaseId);
  }
  return { baseSha256: base.sha256, releaseIds };
}
