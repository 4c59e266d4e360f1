import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/support/db.ts';
import type { ColumnManifest } from './column-manifest.ts';
import type { Db } from './database.ts';
import { DATABASE_COLUMNS } from './schema.ts';

// The TypeScript `Database` type against the migrated schema. Each domain's column manifest is
// typed to name exactly its table types' columns (db/column-manifest.ts); this test checks the
// manifests against information_schema, so a column in a migration but not in a type (or the other
// way round, or with another type or nullability) fails here.

/** Kysely's own bookkeeping, not part of the application's schema. */
const MIGRATOR_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

async function migratedColumns(db: Db): Promise<ColumnManifest> {
  const { rows } = await sql<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>`
    SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`.execute(db);
  const tables: ColumnManifest = {};
  for (const r of rows) {
    if (MIGRATOR_TABLES.has(r.table_name)) continue;
    const type = r.udt_name.startsWith('_') ? `${r.udt_name.slice(1)}[]` : r.udt_name;
    (tables[r.table_name] ??= {})[r.column_name] = r.is_nullable === 'YES' ? `${type} null` : type;
  }
  return tables;
}

/** Every difference between the declared and the migrated columns, one line each, sorted. */
function drift(declared: ColumnManifest, migrated: ColumnManifest): string[] {
  const found: string[] = [];
  for (const table of new Set([...Object.keys(declared), ...Object.keys(migrated)])) {
    const mine = declared[table];
    const theirs = migrated[table];
    if (!mine || !theirs) {
      found.push(
        `table ${table}: ${mine ? 'in the type, not in the migrations' : 'in the migrations, not in the type'}`,
      );
      continue;
    }
    for (const column of new Set([...Object.keys(mine), ...Object.keys(theirs)])) {
      const [a, b] = [mine[column], theirs[column]];
      if (a === b) continue;
      if (a === undefined) found.push(`${table}.${column}: in the migrations (${b}), not in the type`);
      else if (b === undefined) found.push(`${table}.${column}: in the type (${a}), not in the migrations`);
      else found.push(`${table}.${column}: the type says ${a}, the migrations ${b}`);
    }
  }
  return found.sort();
}

/**
 * The compiler's errors in db/schema.ts and the tables modules it composes: a column added to a table
 * type but not to its manifest (or the other way round) is a type error there, which vitest alone
 * (it strips types) would not see.
 */
function manifestTypeErrors(): string[] {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const config = ts.getParsedCommandLineOfConfigFile(
    `${root}tsconfig.json`,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram([fileURLToPath(new URL('./schema.ts', import.meta.url))], config.options);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName.startsWith(`${root}backend/`))
    .map((d) => `${d.file!.fileName.slice(root.length)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const database = useTestDatabase();

describe('schema drift', () => {
  it('the Database type has exactly the migrated tables and columns, with their types and nullability', async () => {
    expect(drift(DATABASE_COLUMNS, await migratedColumns(database.db))).toEqual([]);
  });

  it('each manifest names exactly the columns of its table types (type-checked)', () => {
    expect(manifestTypeErrors()).toEqual([]);
  }, 60_000);

  it('reports a column a migration adds that no type declares, one it drops, and a nullability change', async () => {
    // DDL is transactional in PostgreSQL: the changes are rolled back, the database stays as migrated.
    const rollback = new Error('rollback');
    let found: string[] = [];
    const changed = database.db.transaction().execute(async (trx) => {
      await sql`ALTER TABLE users ADD COLUMN drift_probe text`.execute(trx);
      await sql`ALTER TABLE vehicles ALTER COLUMN owner_ref SET NOT NULL`.execute(trx);
      await sql`ALTER TABLE ecus DROP COLUMN exposure`.execute(trx);
      found = drift(DATABASE_COLUMNS, await migratedColumns(trx));
      throw rollback;
    });
    await expect(changed).rejects.toBe(rollback);
    expect(found).toEqual([
      'ecus.exposure: in the type (text null), not in the migrations',
      'users.drift_probe: in the migrations (text null), not in the type',
      'vehicles.owner_ref: the type says text null, the migrations text',
    ]);
    expect(drift(DATABASE_COLUMNS, await migratedColumns(database.db))).toEqual([]);
  });
});
