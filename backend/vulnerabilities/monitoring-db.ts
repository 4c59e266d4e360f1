import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

// The monitoring tables (migration 0200) beside the domain's: one connection, a wider type.

export type SbomFormat = 'cyclonedx' | 'spdx';
export type AdvisorySource = 'osv' | 'csaf';
export type VersionScheme = 'semver' | 'deb' | 'generic';
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];
/** The CSAF 2.0 flag labels, which CycloneDX's justifications map to one for one (vex/export). */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

type Json = ColumnType<unknown, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface MonitoringTables {
  sboms: {
    id: Generated<number>;
    release_id: number;
    image_sha256: string;
    format: SbomFormat;
    spec_version: string;
    document: Json;
    uploaded_by: number;
    uploaded_at: CreatedAt;
  };
  sbom_components: {
    sbom_id: number;
    ordinal: number;
    name: string;
    version: string;
    purl: string | null;
    cpe: string | null;
    package_key: string | null;
  };
  advisories: {
    id: Generated<number>;
    source: AdvisorySource;
    external_id: string;
    aliases: string[];
    summary: string;
    modified: Date;
    cvss_vector: string | null;
    document: Json;
    imported_at: CreatedAt;
  };
  advisory_packages: {
    advisory_id: number;
    ordinal: number;
    package_key: string;
    scheme: VersionScheme;
    affected: Json;
  };
  monitored_vulnerabilities: { vulnerability_key: string; vulnerability_id: number };
  findings: {
    advisory_id: number;
    sbom_id: number;
    ordinal: number;
    release_id: number;
    vulnerability_id: number;
    found_at: CreatedAt;
  };
  vex_statements: {
    release_id: number;
    vulnerability_id: number;
    status: VexStatus;
    justification: VexJustification | null;
    detail: string;
    decided_by: number;
    decided_at: ColumnType<Date, Date | undefined, Date>;
  };
}

export type MonitoringDb = Kysely<Database & MonitoringTables>;

export function asMonitoringDb(db: Kysely<Database>): MonitoringDb {
  return db as unknown as MonitoringDb;
}
