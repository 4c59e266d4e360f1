import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider, MigrationResultSet } from 'kysely';

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));
// .ts under tsx and vitest, .js in the build (dist/).
const migrationFile = /^\d{4}_[a-z0-9_]+\.[jt]s$/;

/**
 * Imports migrations itself: Kysely's FileMigrationProvider does the import() from inside
 * node_modules, which cannot load .ts files under vitest.
 */
export class ProjectMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string = migrationsDir) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => migrationFile.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(`${this.dir}/${file}`).href)) as Migration;
      migrations[file.replace(/\.[jt]s$/, '')] = { up: mod.up, ...(mod.down ? { down: mod.down } : {}) };
    }
    return migrations;
  }
}

/** Runs every pending migration; throws (naming the migration) when one fails. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: migrations run before the types apply
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new ProjectMigrationProvider() });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
