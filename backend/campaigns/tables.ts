import type { ColumnType, Generated } from 'kysely';
import type { EcuOutcome } from '@ota/protocol/messages';
import type { TableColumns } from '../db/column-manifest.ts';
import type { BigInt, CreatedAt, GeneratedTimestamp, Json, Numeric, Timestamp } from '../db/column-types.ts';
import type { CampaignKind, CampaignState, InstallPolicy, TargetFilter, VehicleCampaignState } from './types.ts';

// Row types of the campaign tables (migrations/0005, 0100, 0110, 0302).
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
  /** When the delivery last offered the update (migrations/0100). */
  offered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  offer_count: ColumnType<number, number | undefined, number>;
  /** migrations/0302: 1, then +1 per manual retry (the offer carries it). */
  attempt: ColumnType<number, number | undefined, number>;
}
/** The view of one event per vehicle and move (migrations/0404), read from the batches. */
export interface CampaignVehicleEventsTable {
  id: Generated<string>;
  campaign_id: number;
  vin: string;
  from_state: VehicleCampaignState;
  to_state: VehicleCampaignState;
  at: Timestamp;
}
/** One move statement's vehicles that left and entered the same states at the same time (migrations/0404). */
export interface CampaignVehicleEventBatchesTable {
  id: Generated<string>;
  campaign_id: number;
  from_state: VehicleCampaignState;
  to_state: VehicleCampaignState;
  at: Timestamp;
  vins: string[];
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

export interface CampaignTables {
  campaigns: CampaignsTable;
  campaign_releases: CampaignReleasesTable;
  campaign_vulnerabilities: CampaignVulnerabilitiesTable;
  campaign_waves: CampaignWavesTable;
  campaign_vehicles: CampaignVehiclesTable;
  campaign_vehicle_event_batches: CampaignVehicleEventBatchesTable;
  campaign_vehicle_counts: CampaignVehicleCountsTable;
  campaign_ecus: CampaignEcusTable;
}

/** Views (read only; not in the column manifest, which the drift test compares with base tables). */
export interface CampaignViews {
  campaign_vehicle_events: CampaignVehicleEventsTable;
}

export const CAMPAIGN_COLUMNS = {
  campaigns: {
    id: 'int4',
    name: 'text',
    kind: 'text',
    state: 'text',
    priority: 'text',
    deadline_at: 'timestamptz null',
    target_filter: 'jsonb',
    install_policy: 'jsonb',
    pacing_per_minute: 'int4',
    current_wave: 'int4 null',
    created_by: 'int4',
    approved_by: 'int4 null',
    approved_at: 'timestamptz null',
    started_at: 'timestamptz null',
    finished_at: 'timestamptz null',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  campaign_releases: { campaign_id: 'int4', release_id: 'int4' },
  campaign_vulnerabilities: { campaign_id: 'int4', vulnerability_id: 'int4' },
  campaign_waves: {
    campaign_id: 'int4',
    wave_no: 'int4',
    cumulative_percent: 'numeric',
    success_threshold: 'numeric',
    error_threshold: 'numeric',
    soak_minutes: 'int4',
    started_at: 'timestamptz null',
    success_reached_at: 'timestamptz null',
  },
  campaign_vehicles: {
    campaign_id: 'int4',
    vin: 'text',
    wave_no: 'int4',
    state: 'text',
    state_changed_at: 'timestamptz',
    error: 'text null',
    offered_at: 'timestamptz null',
    offer_count: 'int4',
    attempt: 'int4',
  },
  campaign_vehicle_event_batches: {
    id: 'int8',
    campaign_id: 'int4',
    from_state: 'text',
    to_state: 'text',
    at: 'timestamptz',
    vins: 'text[]',
  },
  campaign_vehicle_counts: { campaign_id: 'int4', wave_no: 'int4', state: 'text', n: 'int8' },
  campaign_ecus: {
    campaign_id: 'int4',
    vin: 'text',
    ecu_serial: 'text',
    hardware_id: 'text',
    release_id: 'int4',
    from_version: 'text',
    to_version: 'text',
    result: 'text null',
    nrc: 'text null',
    error: 'text null',
    bytes_on_bus: 'int8 null',
    duration_ms: 'int4 null',
    finished_at: 'timestamptz null',
  },
} as const satisfies TableColumns<CampaignTables>;
