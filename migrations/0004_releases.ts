import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// IEC 62443-2-3 patch lifecycle: releases, their content-addressed images, evidence, fixed vulnerabilities.
const statements = [
  `CREATE TABLE releases (
     id serial PRIMARY KEY,
     hardware_id text NOT NULL,
     version text NOT NULL,
     supplier text NOT NULL,
     notes text NOT NULL DEFAULT '',
     state text NOT NULL DEFAULT 'available' CHECK (state IN ('available','in_test','approved','not_approved','not_applicable','released','in_internal_test','authorized','not_authorized','effective')),
     safety_impact_analysis text,
     created_by integer NOT NULL REFERENCES users(id),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (hardware_id, version)
   )`,
  `CREATE TABLE release_images (
     release_id integer NOT NULL REFERENCES releases(id),
     sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
     length bigint NOT NULL,
     file_name text NOT NULL,
     hardware_ids text[] NOT NULL,
     version text NOT NULL,
     uploaded_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (release_id, sha256)
   )`,
  `CREATE TABLE release_evidence (
     id serial PRIMARY KEY,
     release_id integer NOT NULL REFERENCES releases(id),
     stage text NOT NULL CHECK (stage IN ('approved','authorized')),
     report_ref text NOT NULL,
     log_sha256 text NOT NULL CHECK (log_sha256 ~ '^[0-9a-f]{64}$'),
     recorded_by integer NOT NULL REFERENCES users(id),
     recorded_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE release_fixes (
     release_id integer NOT NULL REFERENCES releases(id),
     vulnerability_id integer NOT NULL REFERENCES vulnerabilities(id),
     PRIMARY KEY (release_id, vulnerability_id)
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
