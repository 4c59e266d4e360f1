// The vulnerabilities domain's vocabulary: the CSMS case and the monitoring of releases.
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
