/**
 * Campaign submit (target resolution, issue 20) for a fleet of N vehicles (--vehicles, default
 * 100,000), each with one ECU needing the release, on PostgreSQL from DATABASE_URL: the time of
 * transitionCampaign('submit') as the API runs it, beside its peer in the same run, the time
 * PostgreSQL takes to copy the same number of rows into a bare table of the same columns (no index,
 * no foreign key), i.e. what no target resolution can beat. The fleet is inserted set-based.
 */
import { sql } from 'kysely';
import type { Db } from '../backend/db/database.ts';
import { createCampaign, DEFAULT_WAVES, transitionCampaign } from '../backend/campaigns/service.ts';
import { insertUsers } from '../test/integration/delivery/fixtures.ts';
import { destroyTestDatabase } from '../test/integration/delivery/harness.ts';
import { createTestDatabase } from '../test/support/db.ts';

const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(2);

function vehiclesArg(args: string[]): number {
  const at = args.indexOf('--vehicles');
  const vehicles = at >= 0 ? Number(args[at + 1]) : 100_000;
  if (!Number.isSafeInteger(vehicles) || vehicles < 1 || vehicles > 10_000_000)
    throw new Error(`--vehicles must be a positive integer, got ${args[at + 1]}`);
  return vehicles;
}

/** The fleet (one ECU each on 1.0.0) and an authorised release 2.0.0 for its hardware. */
async function seedFleet(db: Db, vehicles: number, creator: number): Promise<number> {
  await db.insertInto('vehicle_models').values({ id: 'bench', name: 'Bench' }).execute();
  await sql`INSERT INTO vehicles (vin, model_id, model_year, region)
    SELECT 'SUB' || lpad(i::text, 14, '0'), 'bench', 2024, 'EU' FROM generate_series(1, ${vehicles}) i`.execute(db);
  await sql`INSERT INTO ecus (vin, serial, name, hardware_id, installed_version)
    SELECT 'SUB' || lpad(i::text, 14, '0'), 'ECU-1', 'engine', 'HW-SUB', '1.0.0' FROM generate_series(1, ${vehicles}) i`.execute(
    db,
  );
  const { id } = await db
    .insertInto('releases')
    .values({ hardware_id: 'HW-SUB', version: '2.0.0', supplier: 'Bench', state: 'authorized', created_by: creator })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`ANALYZE`.execute(db);
  return id;
}

/** Seconds PostgreSQL takes to write `vehicles` rows of campaign_vehicles' and campaign_ecus' shapes with no index. */
async function bareCopy(db: Db): Promise<string> {
  const start = performance.now();
  await db.transaction().execute(async (trx) => {
    await sql`CREATE TEMP TABLE bare_targets ON COMMIT DROP AS
      SELECT 0 AS campaign_id, vin, 1 AS wave_no, 'pending'::text AS state, now() AS state_changed_at FROM vehicles`.execute(
      trx,
    );
    await sql`CREATE TEMP TABLE bare_ecus ON COMMIT DROP AS
      SELECT 0 AS campaign_id, vin, serial, hardware_id, 1 AS release_id, installed_version, '2.0.0'::text AS to_version FROM ecus`.execute(
      trx,
    );
  });
  return seconds(start);
}

export default async function campaignSubmitBench(args: string[]): Promise<void> {
  if (!process.env.DATABASE_URL) {
    console.log('campaign-submit bench: needs real PostgreSQL; set DATABASE_URL (skipped, nothing measured)');
    return;
  }
  const vehicles = vehiclesArg(args);
  const testDb = await createTestDatabase();
  const db = testDb.db;
  try {
    const users = await insertUsers(db);
    let start = performance.now();
    const releaseId = await seedFleet(db, vehicles, users.creator);
    const fleetS = seconds(start);
    const creator = { userId: users.creator, name: 'bench-creator' };
    const draft = await createCampaign(db, creator, {
      name: 'submit bench',
      kind: 'feature',
      releaseIds: [releaseId],
      vulnerabilityIds: [],
      targetFilter: { hardwareIds: ['HW-SUB'] },
      installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
      waves: DEFAULT_WAVES,
      pacingPerMinute: 1000,
    });
    start = performance.now();
    const submitted = await transitionCampaign(db, creator, draft.id, { action: 'submit', reason: 'bench' });
    const submitS = seconds(start);
    if (submitted.targetedVehicles !== vehicles)
      throw new Error(`submit targeted ${submitted.targetedVehicles} vehicles, expected ${vehicles}`);
    const bareS = await bareCopy(db);
    console.log(`| measure | value |\n| --- | --- |`);
    console.log(`| vehicles (one ECU each, all targeted) | ${vehicles.toLocaleString('en')} |`);
    console.log(`| fleet insert (generate_series) | ${fleetS} s |`);
    console.log(`| submit: target resolution into campaign_vehicles and campaign_ecus | ${submitS} s |`);
    console.log(`| peer: the same rows copied into bare tables (no index, no key) | ${bareS} s |`);
  } finally {
    await destroyTestDatabase(testDb);
  }
}
