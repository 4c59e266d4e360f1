import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Dispatch pacing shared by every backend instance (issue 20): the offers of each campaign counted
// per second of the database's clock, so an instance claims only what the campaign's pace leaves in
// the last minute whoever made the other offers. Rows older than the pace period are deleted as
// offers are recorded.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE campaign_dispatch_pace (
    campaign_id integer NOT NULL REFERENCES campaigns(id),
    second bigint NOT NULL,
    offered integer NOT NULL CHECK (offered >= 0),
    PRIMARY KEY (campaign_id, second)
  )`.execute(db);
}
