import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { createDatabase } from '../../backend/db/database.ts';
import type { Db } from '../../backend/db/database.ts';
import { migrateToLatest } from '../../backend/db/migrate.ts';

export interface TestDatabase {
  db: Db;
  /** Which engine the test runs on, for messages only. */
  engine: 'postgresql' | 'pglite';
  /** The database's URL on a server (another process can connect); absent on PGlite. */
  url?: string;
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file. With DATABASE_URL (as in CI) a uniquely named
 * database is created on that server and dropped afterwards; otherwise PGlite starts from a
 * migrated data directory dumped once (cached in the temp dir, keyed by the migrations' content).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  return serverUrl ? createOnServer(serverUrl) : createOnPglite();
}

async function createOnServer(serverUrl: string): Promise<TestDatabase> {
  const name = `ota_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = createDatabase({ url: serverUrl });
  await sql.raw(`CREATE DATABASE ${name}`).execute(admin);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDatabase({ url: url.toString() });
  await migrateToLatest(db);
  return {
    db,
    engine: 'postgresql',
    url: url.toString(),
    async destroy() {
      // pg's Pool.end() resolves before its sockets have closed, so the forced DROP below may still
      // terminate a closing connection; createDatabase's pool absorbs that error (SQLSTATE 57P01).
      await db.destroy();
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin);
      await admin.destroy();
    },
  };
}

async function createOnPglite(): Promise<TestDatabase> {
  const dump = await migratedDump();
  const db = createDatabase({ loadDataDir: new Blob([new Uint8Array(dump)]) });
  return { db, engine: 'pglite', destroy: () => db.destroy() };
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
