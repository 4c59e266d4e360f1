import type { ColumnType, Generated } from 'kysely';
import type { EcuOutcome } from '../../protocol/messages/ecu-result.ts';

// Hand-written table types matching migrations/. pg returns numeric and bigint as strings.
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, number | string, number | string>;
type BigInt = ColumnType<string, number | string | bigint, number | string | bigint>;
type Json<T> = ColumnType<T, string, string>;

export const ROLES = [
  'campaign_manager',
  'security_engineer',
  'release_engineer',
  'approver',
  'auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const VEHICLE_LIFECYCLES = ['active', 'isolated', 'ownership_transferred', 'end_of_life'] as const;
export type VehicleLifecycle = (typeof VEHICLE_LIFECYCLES)[number];

export const ASIL_RATINGS = ['QM', 'A', 'B', 'C', 'D'] as const;
export type Asil = (typeof ASIL_RATINGS)[number];
/** How an ECU can be reached: over an external interface, or only over the vehicle's internal bus. */
export const ECU_EXPOSURES = ['connected', 'internal_bus'] as const;
export type EcuExposure = (typeof ECU_EXPOSURES)[number];

export const VULNERABILITY_PHASES = [
  'received',
  'reviewing',
  'needs_info',
  'assessing',
  'addressing',
  'disclosed',
  'closed',
  'rejected',
] as const;
export type VulnerabilityPhase = (typeof VULNERABILITY_PHASES)[number];
export type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';
export const REJECTION_REASONS = ['not_reproducible', 'not_applicable', 'obsolete_product', 'duplicate'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
export const REMEDIATION_KINDS = [
  'software_patch',
  'configuration_change',
  'function_deactivated',
  'compensating_control',
  'risk_accepted',
] as const;
export type RemediationKind = (typeof REMEDIATION_KINDS)[number];
export const REPORTER_KINDS = ['internal', 'researcher', 'customer', 'cert', 'supplier'] as const;
export type ReporterKind = (typeof REPORTER_KINDS)[number];

export const RELEASE_STATES = [
  'available',
  'in_test',
  'approved',
  'not_approved',
  'not_applicable',
  'released',
  'in_internal_test',
  'authorized',
  'not_authorized',
  'effective',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const CAMPAIGN_KINDS = ['security_patch', 'safety_recall', 'bug_fix', 'feature'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];
export const CAMPAIGN_STATES = [
  'draft',
  'pending_approval',
  'approved',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
export const VEHICLE_CAMPAIGN_STATES = [
  'pending',
  'offered',
  'downloading',
  'downloaded',
  'installing',
  'succeeded',
  'failed',
  'rolled_back',
  'rollback_failed',
  'incompatible',
  'cancelled',
  'expired',
] as const;
export type VehicleCampaignState = (typeof VEHICLE_CAMPAIGN_STATES)[number];

export interface TargetFilter {
  modelIds?: string[] | undefined;
  modelYears?: { from?: number | undefined; to?: number | undefined } | undefined;
  regions?: string[] | undefined;
  hardwareIds?: string[] | undefined;
  currentVersions?: string[] | undefined;
  tags?: string[] | undefined;
  vins?: string[] | undefined;
}

export const INSTALL_PRECONDITIONS = [
  'parked',
  'ignition_off',
  'battery_above_50',
  'battery_above_80',
  'charging',
  'wifi',
] as const;
export type InstallPrecondition = (typeof INSTALL_PRECONDITIONS)[number];

export interface InstallPolicy {
  /** Local-time windows of the vehicle, e.g. { from: '01:00', to: '05:00' }. */
  windows: { from: string; to: string }[];
  preconditions: InstallPrecondition[];
  driverConsentRequired: boolean;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  roles: Role[];
  created_at: CreatedAt;
  /** Set while the user is disabled: none of their tokens authenticates. */
  disabled_at: Timestamp | null;
}
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_sha256: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}
export interface AuditHeadTable {
  singleton: Generated<boolean>;
  seq: BigInt;
  hash: string;
}
export interface AuditLogTable {
  seq: BigInt;
  at: Timestamp;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
  details: Json<unknown> | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}
export interface VehicleModelsTable {
  id: string;
  name: string;
  end_of_support: ColumnType<Date | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}
export interface VehiclesTable {
  vin: string;
  model_id: string;
  model_year: number;
  region: string;
  owner_ref: string | null;
  tags: string[];
  gateway_public_key: string | null;
  lifecycle: Generated<VehicleLifecycle>;
  time_zone: Generated<string>;
  created_at: CreatedAt;
  updated_at: GeneratedTimestamp;
}
export interface EcusTable {
  id: Generated<number>;
  vin: string;
  serial: string;
  name: string;
  hardware_id: string;
  installed_version: string;
  image_sha256: string | null;
  asil: Asil | null;
  exposure: ColumnType<EcuExposure | null, EcuExposure | null | undefined, EcuExposure | null>;
  updated_at: GeneratedTimestamp;
}
export interface EcuVersionHistoryTable {
  id: Generated<string>;
  vin: string;
  ecu_serial: string;
  hardware_id: string;
  from_version: string | null;
  to_version: string;
  image_sha256: string | null;
  source: string;
  at: GeneratedTimestamp;
}
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
export interface ReleasesTable {
  id: Generated<number>;
  hardware_id: string;
  version: string;
  supplier: string;
  notes: Generated<string>;
  state: Generated<ReleaseState>;
  safety_impact_analysis: string | null;
  created_by: number;
  created_at: CreatedAt;
  updated_at: GeneratedTimestamp;
}
export interface ReleaseImagesTable {
  release_id: number;
  sha256: string;
  length: BigInt;
  file_name: string;
  hardware_ids: string[];
  version: string;
  uploaded_at: CreatedAt;
}
export interface ReleaseEvidenceTable {
  id: Generated<number>;
  release_id: number;
  stage: 'approved' | 'authorized';
  report_ref: string;
  log_sha256: string;
  recorded_by: number;
  recorded_at: CreatedAt;
}
export interface ReleaseFixesTable {
  release_id: number;
  vulnerability_id: number;
}
export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  kind: CampaignKind;
  state: Generated<CampaignState>;
  priority: string;
  deadline_at: Timestamp | null;
  target_filter: Json<TargetFilter>;
  install_policy: Json<InstallPolicy>;
  pacing_per_minute: number;
  current_wave: number | null;
  created_by: number;
  approved_by: number | null;
  approved_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: GeneratedTimestamp;
}
export interface CampaignReleasesTable {
  campaign_id: number;
  release_id: number;
}
export interface CampaignVulnerabilitiesTable {
  campaign_id: number;
  vulnerability_id: number;
}
export interface CampaignWavesTable {
  campaign_id: number;
  wave_no: number;
  cumulative_percent: Numeric;
  success_threshold: Numeric;
  error_threshold: Numeric;
  soak_minutes: number;
  started_at: Timestamp | null;
  success_reached_at: Timestamp | null;
}
export interface CampaignVehiclesTable {
  campaign_id: number;
  vin: string;
  wave_no: number;
  state: Generated<VehicleCampaignState>;
  state_changed_at: GeneratedTimestamp;
  error: string | null;
}
export interface CampaignVehicleEventsTable {
  id: Generated<string>;
  campaign_id: number;
  vin: string;
  from_state: VehicleCampaignState;
  to_state: VehicleCampaignState;
  at: Timestamp;
}
/** Signed deltas; the sum per (campaign, wave, state) is the number of vehicles in that state. */
export interface CampaignVehicleCountsTable {
  campaign_id: number;
  wave_no: number;
  state: VehicleCampaignState;
  n: BigInt;
}
export interface CampaignEcusTable {
  campaign_id: number;
  vin: string;
  ecu_serial: string;
  hardware_id: string;
  release_id: number;
  from_version: string;
  to_version: string;
  result: EcuOutcome | null;
  nrc: string | null;
  error: string | null;
  bytes_on_bus: BigInt | null;
  duration_ms: number | null;
  finished_at: Timestamp | null;
}

export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  audit_head: AuditHeadTable;
  audit_log: AuditLogTable;
  vehicle_models: VehicleModelsTable;
  vehicles: VehiclesTable;
  ecus: EcusTable;
  ecu_version_history: EcuVersionHistoryTable;
  vulnerabilities: VulnerabilitiesTable;
  vulnerability_affected: VulnerabilityAffectedTable;
  releases: ReleasesTable;
  release_images: ReleaseImagesTable;
  release_evidence: ReleaseEvidenceTable;
  release_fixes: ReleaseFixesTable;
  campaigns: CampaignsTable;
  campaign_releases: CampaignReleasesTable;
  campaign_vulnerabilities: CampaignVulnerabilitiesTable;
  campaign_waves: CampaignWavesTable;
  campaign_vehicles: CampaignVehiclesTable;
  campaign_vehicle_events: CampaignVehicleEventsTable;
  campaign_vehicle_counts: CampaignVehicleCountsTable;
  campaign_ecus: CampaignEcusTable;
}
