import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Vehicle models, vehicles, their ECUs as last reported, and every version change.
const statements = [
  `CREATE TABLE vehicle_models (
     id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
     name text NOT NULL,
     end_of_support date,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE vehicles (
     vin text PRIMARY KEY CHECK (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
     model_id text NOT NULL REFERENCES vehicle_models(id),
     model_year integer NOT NULL CHECK (model_year BETWEEN 1980 AND 2100),
     region text NOT NULL,
     owner_ref text,
     tags text[] NOT NULL DEFAULT '{}',
     gateway_public_key text,
     lifecycle text NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('active','isolated','ownership_transferred','end_of_life')),
     time_zone text NOT NULL DEFAULT 'UTC',
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX vehicles_model ON vehicles (model_id, model_year)`,
  `CREATE INDEX vehicles_region ON vehicles (region)`,
  `CREATE TABLE ecus (
     id serial PRIMARY KEY,
     vin text NOT NULL REFERENCES vehicles(vin),
     serial text NOT NULL,
     name text NOT NULL,
     hardware_id text NOT NULL,
     installed_version text NOT NULL,
     image_sha256 text CHECK (image_sha256 ~ '^[0-9a-f]{64}$'),
     asil text CHECK (asil IN ('QM','A','B','C','D')),
     updated_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (vin, serial)
   )`,
  `CREATE INDEX ecus_hardware_version ON ecus (hardware_id, installed_version)`,
  `CREATE TABLE ecu_version_history (
     id bigserial PRIMARY KEY,
     vin text NOT NULL REFERENCES vehicles(vin),
     ecu_serial text NOT NULL,
     hardware_id text NOT NULL,
     from_version text,
     to_version text NOT NULL,
     image_sha256 text,
     source text NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX ecu_version_history_vin ON ecu_version_history (vin, at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
