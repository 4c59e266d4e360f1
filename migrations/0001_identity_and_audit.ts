import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Users, roles, API tokens (only their sha256 is stored) and the hash-chained, append-only audit log.
const statements = [
  `CREATE TABLE users (
     id serial PRIMARY KEY,
     name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
     roles text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['campaign_manager','security_engineer','release_engineer','approver','auditor','admin']::text[]),
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE api_tokens (
     id serial PRIMARY KEY,
     user_id integer NOT NULL REFERENCES users(id),
     name text NOT NULL,
     token_sha256 text NOT NULL UNIQUE,
     created_at timestamptz NOT NULL DEFAULT now(),
     revoked_at timestamptz
   )`,
  // Sequence numbers come from audit_head inside the writing transaction, so they have no gaps
  // (a bigserial would skip values on rollback and hide a deleted entry).
  `CREATE TABLE audit_head (
     singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
     seq bigint NOT NULL,
     hash text NOT NULL
   )`,
  `INSERT INTO audit_head (seq, hash) VALUES (0, '${'0'.repeat(64)}')`,
  `CREATE TABLE audit_log (
     seq bigint PRIMARY KEY,
     at timestamptz NOT NULL,
     actor text NOT NULL,
     action text NOT NULL,
     entity_type text NOT NULL,
     entity_id text NOT NULL,
     before jsonb,
     after jsonb,
     details jsonb,
     reason text,
     prev_hash text NOT NULL,
     hash text NOT NULL
   )`,
  `CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id)`,
  `CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
   END $$`,
  `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
