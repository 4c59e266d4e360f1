import { randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.ts';
import type { Db } from './database.ts';
import { ProjectMigrationProvider } from './migrate.ts';

// Migrations 0110 and 0111 on a database that already holds campaigns: counts are backfilled and
// stored ECU results take the one vocabulary.
let db: Db;
let admin: Db | undefined;
let name = '';

beforeAll(async () => {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    name = `ota_test_mig_${randomBytes(4).toString('hex')}`;
    admin = createDatabase({ url: serverUrl });
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    db = createDatabase({ url: url.toString() });
  } else {
    db = createDatabase();
  }
}, 120_000);
afterAll(async () => {
  await db.destroy();
  if (admin) {
    await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin);
    await admin.destroy();
  }
});

describe('state migrations', () => {
  it('backfill the vehicle counts of existing campaigns and rename skipped ECU results to not_started', async () => {
    const migrator = new Migrator({ db, provider: new ProjectMigrationProvider() });
    expect((await migrator.migrateTo('0100_delivery')).error).toBeUndefined();
    await sql`INSERT INTO users (name, roles) VALUES ('a', '{admin}')`.execute(db);
    await sql`INSERT INTO vehicle_models (id, name) VALUES ('m', 'M')`.execute(db);
    await sql`INSERT INTO vehicles (vin, model_id, model_year, region)
      SELECT 'MGR' || lpad(i::text, 14, '0'), 'm', 2024, 'EU' FROM generate_series(1, 30) i`.execute(db);
    await sql`INSERT INTO releases (hardware_id, version, supplier, created_by) VALUES ('HW', '2', 's', (SELECT min(id) FROM users))`.execute(
      db,
    );
    await sql`INSERT INTO campaigns (name, kind, priority, target_filter, install_policy, pacing_per_minute, created_by)
      VALUES ('c', 'bug_fix', 'scheduled', '{}', '{}', 1, (SELECT min(id) FROM users))`.execute(db);
    await sql`INSERT INTO campaign_waves (campaign_id, wave_no, cumulative_percent, success_threshold, error_threshold, soak_minutes)
      VALUES (1, 1, 50, 1, 1, 0), (1, 2, 100, 1, 1, 0)`.execute(db);
    await sql`INSERT INTO campaign_vehicles (campaign_id, vin, wave_no, state)
      SELECT 1, 'MGR' || lpad(i::text, 14, '0'), CASE WHEN i <= 10 THEN 1 ELSE 2 END,
             CASE WHEN i <= 4 THEN 'succeeded' WHEN i <= 12 THEN 'offered' ELSE 'pending' END
      FROM generate_series(1, 30) i`.execute(db);
    await sql`INSERT INTO campaign_ecus (campaign_id, vin, ecu_serial, hardware_id, release_id, from_version, to_version, result)
      VALUES (1, 'MGR00000000000001', 'E1', 'HW', (SELECT min(id) FROM releases), '1', '2', 'skipped')`.execute(db);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const counts = await sql<{ wave_no: number; state: string; n: number }>`
      SELECT wave_no, state, sum(n)::int AS n FROM campaign_vehicle_counts WHERE campaign_id = 1
      GROUP BY wave_no, state ORDER BY wave_no, state`.execute(db);
    expect(counts.rows).toEqual([
      { wave_no: 1, state: 'offered', n: 6 },
      { wave_no: 1, state: 'succeeded', n: 4 },
      { wave_no: 2, state: 'offered', n: 2 },
      { wave_no: 2, state: 'pending', n: 18 },
    ]);
    const ecu = await sql<{ result: string }>`SELECT result FROM campaign_ecus`.execute(db);
    expect(ecu.rows).toEqual([{ result: 'not_started' }]);
    await expect(sql`UPDATE campaign_ecus SET result = 'skipped'`.execute(db)).rejects.toThrow(/check constraint/);
  });
});
