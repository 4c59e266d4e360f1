import type { ColumnType, Generated } from 'kysely';
import type { TableColumns } from '../db/column-manifest.ts';
import type { CreatedAt, GeneratedTimestamp, Json, Numeric, Timestamp } from '../db/column-types.ts';
import type {
  AdvisorySource,
  RejectionReason,
  RemediationKind,
  ReporterKind,
  SbomFormat,
  Severity,
  VersionScheme,
  VexJustification,
  VexStatus,
  VulnerabilityPhase,
} from './types.ts';

// Row types of the vulnerability cases (migrations/0003) and their monitoring (migrations/0200).
export interface VulnerabilitiesTable {
  id: Generated<number>;
  title: string;
  description: Generated<string>;
  phase: Generated<VulnerabilityPhase>;
  reporter: string;
  reporter_contact: string | null;
  reporter_kind: ReporterKind;
  attack_vector_note: string | null;
  impact_note: string | null;
  intrusion_level: string | null;
  cvss_vector: string | null;
  cvss_version: '3.1' | '4.0' | null;
  cvss_score: Numeric | null;
  severity: Severity | null;
  exploit_available: Generated<boolean>;
  workaround_exists: Generated<boolean>;
  safety_relevant: Generated<boolean>;
  root_cause: string | null;
  remediation_kind: RemediationKind | null;
  remediation_note: string | null;
  delivery_class: string | null;
  confirmed_at: Timestamp | null;
  deadline_at: Timestamp | null;
  embargo_until: Timestamp | null;
  advisory: string | null;
  disclosed_at: Timestamp | null;
  rejection_reason: RejectionReason | null;
  created_by: number;
  created_at: CreatedAt;
  updated_at: GeneratedTimestamp;
}
export interface VulnerabilityAffectedTable {
  vulnerability_id: number;
  hardware_id: string;
  versions: string[];
}
export interface SbomsTable {
  id: Generated<number>;
  release_id: number;
  image_sha256: string;
  format: SbomFormat;
  spec_version: string;
  document: Json<unknown>;
  uploaded_by: number;
  uploaded_at: CreatedAt;
}
export interface SbomComponentsTable {
  sbom_id: number;
  ordinal: number;
  name: string;
  version: string;
  purl: string | null;
  cpe: string | null;
  package_key: string | null;
}
export interface AdvisoriesTable {
  id: Generated<number>;
  source: AdvisorySource;
  external_id: string;
  aliases: string[];
  summary: string;
  modified: Date;
  cvss_vector: string | null;
  document: Json<unknown>;
  imported_at: CreatedAt;
}
export interface AdvisoryPackagesTable {
  advisory_id: number;
  ordinal: number;
  package_key: string;
  scheme: VersionScheme;
  affected: Json<unknown>;
}
export interface MonitoredVulnerabilitiesTable {
  vulnerability_key: string;
  vulnerability_id: number;
}
export interface FindingsTable {
  advisory_id: number;
  sbom_id: number;
  ordinal: number;
  release_id: number;
  vulnerability_id: number;
  found_at: CreatedAt;
}
export interface VexStatementsTable {
  release_id: number;
  vulnerability_id: number;
  status: VexStatus;
  justification: VexJustification | null;
  detail: string;
  decided_by: number;
  decided_at: ColumnType<Date, Date | undefined, Date>;
}

export interface VulnerabilityTables {
  vulnerabilities: VulnerabilitiesTable;
  vulnerability_affected: VulnerabilityAffectedTable;
  sboms: SbomsTable;
  sbom_components: SbomComponentsTable;
  advisories: AdvisoriesTable;
  advisory_packages: AdvisoryPackagesTable;
  monitored_vulnerabilities: MonitoredVulnerabilitiesTable;
  findings: FindingsTable;
  vex_statements: VexStatementsTable;
}

export const VULNERABILITY_COLUMNS = {
  vulnerabilities: {
    id: 'int4',
    title: 'text',
    description: 'text',
    phase: 'text',
    reporter: 'text',
    reporter_contact: 'text null',
    reporter_kind: 'text',
    attack_vector_note: 'text null',
    impact_note: 'text null',
    intrusion_level: 'text null',
    cvss_vector: 'text null',
    cvss_version: 'text null',
    cvss_score: 'numeric null',
    severity: 'text null',
    exploit_available: 'bool',
    workaround_exists: 'bool',
    safety_relevant: 'bool',
    root_cause: 'text null',
    remediation_kind: 'text null',
    remediation_note: 'text null',
    delivery_class: 'text null',
    confirmed_at: 'timestamptz null',
    deadline_at: 'timestamptz null',
    embargo_until: 'timestamptz null',
    advisory: 'text null',
    disclosed_at: 'timestamptz null',
    rejection_reason: 'text null',
    created_by: 'int4',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  vulnerability_affected: { vulnerability_id: 'int4', hardware_id: 'text', versions: 'text[]' },
  sboms: {
    id: 'int4',
    release_id: 'int4',
    image_sha256: 'text',
    format: 'text',
    spec_version: 'text',
    document: 'jsonb',
    uploaded_by: 'int4',
    uploaded_at: 'timestamptz',
  },
  sbom_components: {
    sbom_id: 'int4',
    ordinal: 'int4',
    name: 'text',
    version: 'text',
    purl: 'text null',
    cpe: 'text null',
    package_key: 'text null',
  },
  advisories: {
    id: 'int4',
    source: 'text',
    external_id: 'text',
    aliases: 'text[]',
    summary: 'text',
    modified: 'timestamptz',
    cvss_vector: 'text null',
    document: 'jsonb',
    imported_at: 'timestamptz',
  },
  advisory_packages: { advisory_id: 'int4', ordinal: 'int4', package_key: 'text', scheme: 'text', affected: 'jsonb' },
  monitored_vulnerabilities: { vulnerability_key: 'text', vulnerability_id: 'int4' },
  findings: {
    advisory_id: 'int4',
    sbom_id: 'int4',
    ordinal: 'int4',
    release_id: 'int4',
    vulnerability_id: 'int4',
    found_at: 'timestamptz',
  },
  vex_statements: {
    release_id: 'int4',
    vulnerability_id: 'int4',
    status: 'text',
    justification: 'text null',
    detail: 'text',
    decided_by: 'int4',
    decided_at: 'timestamptz',
  },
} as const satisfies TableColumns<VulnerabilityTables>;
