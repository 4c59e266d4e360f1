import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// ISO/IEC 30111 vulnerability handling with the assessment and the delivery deadline.
const statements = [
  `CREATE TABLE vulnerabilities (
     id serial PRIMARY KEY,
     title text NOT NULL,
     description text NOT NULL DEFAULT '',
     phase text NOT NULL DEFAULT 'received' CHECK (phase IN ('received','reviewing','needs_info','assessing','addressing','disclosed','closed','rejected')),
     reporter text NOT NULL,
     reporter_contact text,
     reporter_kind text NOT NULL CHECK (reporter_kind IN ('internal','researcher','customer','cert','supplier')),
     attack_vector_note text,
     impact_note text,
     intrusion_level text,
     cvss_vector text,
     cvss_version text CHECK (cvss_version IN ('3.1','4.0')),
     cvss_score numeric(3,1),
     severity text CHECK (severity IN ('none','low','medium','high','critical')),
     exploit_available boolean NOT NULL DEFAULT false,
     workaround_exists boolean NOT NULL DEFAULT false,
     safety_relevant boolean NOT NULL DEFAULT false,
     root_cause text,
     remediation_kind text CHECK (remediation_kind IN ('software_patch','configuration_change','function_deactivated','compensating_control','risk_accepted')),
     remediation_note text,
     delivery_class text,
     confirmed_at timestamptz,
     deadline_at timestamptz,
     embargo_until timestamptz,
     advisory text,
     disclosed_at timestamptz,
     rejection_reason text CHECK (rejection_reason IN ('not_reproducible','not_applicable','obsolete_product','duplicate')),
     created_by integer NOT NULL REFERENCES users(id),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE vulnerability_affected (
     vulnerability_id integer NOT NULL REFERENCES vulnerabilities(id),
     hardware_id text NOT NULL,
     versions text[] NOT NULL,
     PRIMARY KEY (vulnerability_id, hardware_id)
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
