import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase } from './database.ts';
import type { Db } from './database.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { migrateToLatest } from './migrate.ts';

export interface OpenedDatabase {
  db: Db;
  applied: string[];
  blobDir: string;
  describe: string;
}

/**
 * DATABASE_URL selects PostgreSQL; otherwise PGlite under DATA_DIR (default .data/backend).
 * Migrations always run first, so every command sees the current schema.
 */
export async function openDatabaseFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<OpenedDatabase> {
  const dataRoot = env.DATA_DIR ?? '.data/backend';
  const blobDir = env.BLOB_DIR ?? join(dataRoot, 'blobs');
  let db: Db;
  let describe: string;
  if (env.DATABASE_URL) {
    db = createDatabase({ url: env.DATABASE_URL });
    describe = `PostgreSQL at ${new URL(env.DATABASE_URL).host}`;
  } else {
    const dataDir = join(dataRoot, 'pglite');
    mkdirSync(dataDir, { recursive: true });
    lockDataDir(dataDir);
    db = createDatabase({ dataDir });
    describe = `embedded PGlite in ${dataDir}`;
  }
  const applied = await migrateToLatest(db);
  return { db, applied, blobDir, describe };
}
