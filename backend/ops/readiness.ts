// What "ready" means for the backend: its database answers, its schema is current, its broker is connected.
// Each check says why it is not ready, in words an operator can act on.
import { Migrator, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { ProjectMigrationProvider } from '../db/migrate.ts';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with `undefined` when ready, otherwise with the reason it is not. */
  check(): Promise<string | undefined>;
}

export type ReadinessResult =
  { ready: true; checks: Record<string, 'ok'> } | { ready: false; checks: Record<string, string> };

/** How long one check may take before it counts as failed (an unreachable host must not hang /readyz). */
const CHECK_TIMEOUT_MS = 2_000;

export const databaseReachable = (db: Db): ReadinessCheck => ({
  name: 'database',
  async check() {
    await sql`select 1`.execute(db);
    return undefined;
  },
});

export const migrationsCurrent = (db: Db): ReadinessCheck => ({
  name: 'migrations',
  async check() {
    const migrations = await new Migrator({ db, provider: new ProjectMigrationProvider() }).getMigrations();
    const pending = migrations.filter((m) => !m.executedAt).map((m) => m.name);
    return pending.length ? `pending: ${pending.join(', ')}` : undefined;
  },
});

export const brokerConnected = (connected: () => boolean): ReadinessCheck => ({
  name: 'broker',
  check: async () => (connected() ? undefined : 'not connected to the MQTT broker'),
});

async function runCheck(check: ReadinessCheck): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check.check(),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once. */
export async function checkReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessResult> {
  const outcomes = await Promise.all(checks.map(async (c) => [c.name, await runCheck(c)] as const));
  const failed = outcomes.filter((o): o is readonly [string, string] => o[1] !== undefined);
  if (failed.length) return { ready: false, checks: Object.fromEntries(outcomes.map(([n, why]) => [n, why ?? 'ok'])) };
  return { ready: true, checks: Object.fromEntries(outcomes.map(([n]) => [n, 'ok' as const])) };
}
