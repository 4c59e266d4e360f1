import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** The triggers migrations/0001 puts on audit_log so that no role but its owner changes an entry. */
export const APPEND_ONLY_TRIGGERS = ['audit_log_append_only', 'audit_log_no_truncate'] as const;

/**
 * What is wrong with those triggers: dropped, disabled, or set to fire only on replicas. The table
 * owner can do any of these; the anchor still catches what they then change, this names how.
 */
export async function appendOnlyTriggerProblems(db: Db): Promise<string[]> {
  const { rows } = await sql<{ tgname: string; tgenabled: string }>`
    SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal`.execute(db);
  const problems: string[] = [];
  for (const name of APPEND_ONLY_TRIGGERS) {
    const state = rows.find((r) => r.tgname === name)?.tgenabled;
    if (state === undefined) problems.push(`trigger ${name} on audit_log was dropped`);
    else if (state === 'D') problems.push(`trigger ${name} on audit_log is disabled`);
    else if (state === 'R') problems.push(`trigger ${name} on audit_log fires only in replica mode`);
  }
  return problems;
}
