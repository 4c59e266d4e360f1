import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// An admin disables a user (issue 13): the user and their history stay, their tokens stop working.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN disabled_at timestamptz`.execute(db);
}
