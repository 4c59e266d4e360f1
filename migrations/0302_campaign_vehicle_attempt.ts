import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// A retried vehicle is offered again as a new attempt (the gateway remembers finished attempts, not
// campaigns): the retry move counts it, the offer carries it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE campaign_vehicles ADD COLUMN attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1)`.execute(
    db,
  );
}
