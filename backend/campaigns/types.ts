// The campaigns domain's vocabulary: kinds, states, targeting and install policy.
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
