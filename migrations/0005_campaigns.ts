import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Campaigns, their rollout waves, targeted vehicles and per-ECU records.
const statements = [
  `CREATE TABLE campaigns (
     id serial PRIMARY KEY,
     name text NOT NULL,
     kind text NOT NULL CHECK (kind IN ('security_patch','safety_recall','bug_fix','feature')),
     state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','pending_approval','approved','running','paused','completed','cancelled')),
     priority text NOT NULL,
     deadline_at timestamptz,
     target_filter jsonb NOT NULL,
     install_policy jsonb NOT NULL,
     pacing_per_minute integer NOT NULL CHECK (pacing_per_minute > 0),
     current_wave integer,
     created_by integer NOT NULL REFERENCES users(id),
     approved_by integer REFERENCES users(id),
     approved_at timestamptz,
     started_at timestamptz,
     finished_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     CHECK (approved_by IS NULL OR approved_by <> created_by)
   )`,
  `CREATE TABLE campaign_releases (
     campaign_id integer NOT NULL REFERENCES campaigns(id),
     release_id integer NOT NULL REFERENCES releases(id),
     PRIMARY KEY (campaign_id, release_id)
   )`,
  `CREATE TABLE campaign_vulnerabilities (
     campaign_id integer NOT NULL REFERENCES campaigns(id),
     vulnerability_id integer NOT NULL REFERENCES vulnerabilities(id),
     PRIMARY KEY (campaign_id, vulnerability_id)
   )`,
  `CREATE TABLE campaign_waves (
     campaign_id integer NOT NULL REFERENCES campaigns(id),
     wave_no integer NOT NULL CHECK (wave_no >= 1),
     cumulative_percent numeric(6,3) NOT NULL CHECK (cumulative_percent > 0 AND cumulative_percent <= 100),
     success_threshold numeric(5,4) NOT NULL CHECK (success_threshold > 0 AND success_threshold <= 1),
     error_threshold numeric(5,4) NOT NULL CHECK (error_threshold >= 0 AND error_threshold <= 1),
     soak_minutes integer NOT NULL CHECK (soak_minutes >= 0),
     started_at timestamptz,
     success_reached_at timestamptz,
     PRIMARY KEY (campaign_id, wave_no)
   )`,
  `CREATE TABLE campaign_vehicles (
     campaign_id integer NOT NULL REFERENCES campaigns(id),
     vin text NOT NULL REFERENCES vehicles(vin),
     wave_no integer NOT NULL,
     state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','offered','downloading','downloaded','installing','succeeded','failed','rolled_back','rollback_failed','incompatible','cancelled','expired')),
     state_changed_at timestamptz NOT NULL DEFAULT now(),
     error text,
     PRIMARY KEY (campaign_id, vin)
   )`,
  `CREATE INDEX campaign_vehicles_wave_state ON campaign_vehicles (campaign_id, wave_no, state)`,
  `CREATE TABLE campaign_vehicle_events (
     id bigserial PRIMARY KEY,
     campaign_id integer NOT NULL,
     vin text NOT NULL,
     from_state text NOT NULL,
     to_state text NOT NULL,
     at timestamptz NOT NULL,
     FOREIGN KEY (campaign_id, vin) REFERENCES campaign_vehicles(campaign_id, vin)
   )`,
  `CREATE INDEX campaign_vehicle_events_vehicle ON campaign_vehicle_events (campaign_id, vin, id)`,
  `CREATE TABLE campaign_ecus (
     campaign_id integer NOT NULL,
     vin text NOT NULL,
     ecu_serial text NOT NULL,
     hardware_id text NOT NULL,
     release_id integer NOT NULL REFERENCES releases(id),
     from_version text NOT NULL,
     to_version text NOT NULL,
     result text CHECK (result IN ('succeeded','failed','rolled_back','rollback_failed','skipped')),
     nrc text,
     error text,
     bytes_on_bus bigint,
     duration_ms integer,
     finished_at timestamptz,
     PRIMARY KEY (campaign_id, vin, ecu_serial),
     FOREIGN KEY (campaign_id, vin) REFERENCES campaign_vehicles(campaign_id, vin)
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
