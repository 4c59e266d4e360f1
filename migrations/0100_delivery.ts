import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Delivery (issue 7): published TUF metadata of both repositories, ECU code signatures, cached
// delta packages, report de-duplication, version-manifest counters, rejected input, dispatch cursor.
const statements = [
  `CREATE TABLE tuf_metadata (
     repository text NOT NULL CHECK (repository IN ('image','director')),
     scope text NOT NULL DEFAULT '',
     role text NOT NULL CHECK (role IN ('root','targets','snapshot','timestamp')),
     version integer NOT NULL CHECK (version >= 1),
     bytes bytea NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (repository, scope, role, version)
   )`,
  `CREATE TABLE image_code_signatures (
     sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
     signature text NOT NULL CHECK (signature ~ '^[0-9a-f]{128}$'),
     key_id text NOT NULL,
     signed_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE delta_packages (
     base_sha256 text NOT NULL CHECK (base_sha256 ~ '^[0-9a-f]{64}$'),
     target_sha256 text NOT NULL CHECK (target_sha256 ~ '^[0-9a-f]{64}$'),
     sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
     length bigint NOT NULL,
     base_length bigint NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (base_sha256, target_sha256)
   )`,
  `CREATE TABLE delivery_reports (
     vin text NOT NULL,
     campaign_id integer NOT NULL,
     report_id text NOT NULL,
     kind text NOT NULL,
     received_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (vin, campaign_id, report_id)
   )`,
  `CREATE TABLE vehicle_manifest_counters (
     vin text PRIMARY KEY REFERENCES vehicles(vin),
     counter bigint NOT NULL,
     received_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE delivery_rejections (
     id bigserial PRIMARY KEY,
     vin text,
     topic text NOT NULL,
     reason text NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,
  `ALTER TABLE campaign_vehicles ADD COLUMN offered_at timestamptz`,
  `ALTER TABLE campaign_vehicles ADD COLUMN offer_count integer NOT NULL DEFAULT 0`,
  `CREATE INDEX campaign_vehicles_dispatch ON campaign_vehicles (campaign_id, wave_no, state, vin)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
