import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// Vehicle security events (issue 18): each event a vehicle signed, stored once per (vin, counter), with
// what the operator did about it, and the SIEM outbox marker (delivered to the syslog collector).
const statements = [
  `CREATE TABLE security_events (
     id text PRIMARY KEY,
     vin text NOT NULL REFERENCES vehicles(vin),
     counter bigint NOT NULL CHECK (counter >= 0),
     type text NOT NULL,
     severity text NOT NULL CHECK (severity IN ('low','medium','high','critical')),
     occurred_at timestamptz NOT NULL,
     received_at timestamptz NOT NULL DEFAULT now(),
     details text NOT NULL,
     campaign_id integer REFERENCES campaigns(id),
     event jsonb NOT NULL,
     signatures jsonb NOT NULL,
     vulnerability_id integer REFERENCES vulnerabilities(id),
     vehicle_isolated_at timestamptz,
     siem_delivered_at timestamptz,
     UNIQUE (vin, counter)
   )`,
  `CREATE INDEX security_events_time ON security_events (occurred_at DESC, id)`,
  `CREATE INDEX security_events_vin ON security_events (vin, occurred_at DESC)`,
  `CREATE INDEX security_events_siem_outbox ON security_events (received_at, id) WHERE siem_delivered_at IS NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
