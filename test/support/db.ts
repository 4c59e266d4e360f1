import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { createDatabase } from '../../backend/db/database.ts';
import type { Db } from '../../backend/db/database.ts';
import { migrateToLatest } from '../../backend/db/migrate.ts';

export interface TestDatabase {
  db: Db;
  /** Which engine the test runs on, for messages only. */
  engine: 'postgresql' | 'pglite';
  /** The database's URL on the server, for a child process to connect to; null on PGlite (in memory). */
  url: string | null;
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file. With DATABASE_URL (as in CI) a uniquely named
 * database is created on that server and dropped afterwards; otherwise PGlite starts from a
 * migrated data directory dumped once (cached in the temp dir, keyed by the migrations' content).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  return serverUrl ? createTestDatabaseOnServer(serverUrl) : createOnPglite();
}

/**
 * The test file's database (createTestDatabase): created before its tests, destroyed after them. Its
 * `db`, `engine` and `url` are read in hooks and tests; before the database exists, reading them throws.
 */
export function useTestDatabase(): Omit<TestDatabase, 'destroy'> {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase();
  }, 120_000);
  afterAll(() => current?.destroy());
  const created = (): TestDatabase => {
    if (!current) throw new Error('the test database is created in beforeAll: read it in a hook or a test');
    return current;
  };
  return {
    get db() {
      return created().db;
    },
    get engine() {
      return created().engine;
    },
    get url() {
      return created().url;
    },
  };
}

/** A new, empty (unmigrated) database on the server at `serverUrl`, for a program under test to migrate. */
export async function createEmptyDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ota_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = createDatabase({ url: serverUrl });
  await sql.raw(`CREATE DATABASE ${name}`).execute(admin);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin);
      await admin.destroy();
    },
  };
}

/** A fresh, migrated database on the PostgreSQL server at `serverUrl`, dropped by destroy(). */
export async function createTestDatabaseOnServer(serverUrl: string): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(serverUrl);
  const db = createDatabase({ url: empty.url });
  await migrateToLatest(db);
  return {
    db,
    engine: 'postgresql',
    url: empty.url,
    async destroy() {
      // pg's Pool.end() resolves before its sockets have closed, so the forced DROP below may still
      // terminate a closing connection; createDatabase's pool absorbs that error (SQLSTATE 57P01).
      await db.destroy();
      await empty.drop();
    },
  };
}

async function createOnPglite(): Promise<TestDatabase> {
  const dump = await migratedDump();
  const db = createDatabase({ loadDataDir: new Blob([new Uint8Array(dump)]) });
  return { db, engine: 'pglite', url: null, destroy: () => db.destroy() };
}

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

async function migratedDump(): Promise<Buffer> {
  const hash = createHash('sha256');
  for (const file of (await readdir(migrationsDir)).sort()) {
    hash.update(file).update(await readFile(join(migrationsDir, file)));
  }
  const path = join(tmpdir(), `ota-backend-pglite-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  try {
    return await readFile(path);
  } catch {
    const pglite = new PGlite();
    const migrating = createDatabase({ pglite });
    await migrateToLatest(migrating);
    await migrating.destroy();
    const blob = await pglite.dumpDataDir('gzip');
    await pglite.close();
    const bytes = Buffer.from(await blob.arrayBuffer());
    // Written under a unique name then renamed, so parallel test files never read half a file.
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temp, bytes);
    await rename(temp, path);
    return bytes;
  }
}
