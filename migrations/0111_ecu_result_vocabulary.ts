import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// One ECU result vocabulary end to end (issue 16): the protocol's succeeded | failed | rolled_back |
// rollback_failed | not_started. The database said `skipped` for an ECU the update never reached.
const statements = [
  `ALTER TABLE campaign_ecus DROP CONSTRAINT campaign_ecus_result_check`,
  `UPDATE campaign_ecus SET result = 'not_started' WHERE result = 'skipped'`,
  `ALTER TABLE campaign_ecus ADD CONSTRAINT campaign_ecus_result_check
     CHECK (result IN ('succeeded','failed','rolled_back','rollback_failed','not_started'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
