import type { ColumnType } from 'kysely';
import type { TableColumns } from '../db/column-manifest.ts';
import type { BigInt, CreatedAt, GeneratedTimestamp } from '../db/column-types.ts';

// Row types of the delivery's tables (migrations/0100); its columns of campaign_vehicles are in campaigns/tables.ts.
export interface DeltaPackagesTable {
  base_sha256: string;
  target_sha256: string;
  sha256: string;
  length: BigInt;
  base_length: BigInt;
  created_at: CreatedAt;
}
export interface DeliveryReportsTable {
  vin: string;
  campaign_id: number;
  report_id: string;
  kind: string;
  received_at: CreatedAt;
}
export interface VehicleManifestCountersTable {
  vin: string;
  counter: BigInt;
  received_at: GeneratedTimestamp;
}
export interface DeliveryRejectionsTable {
  id: ColumnType<string, never, never>;
  vin: string | null;
  topic: string;
  reason: string;
  at: CreatedAt;
}
/** Offers per campaign and second of the database clock (migrations/0400; dispatch-pace.ts). */
export interface CampaignDispatchPaceTable {
  campaign_id: number;
  second: BigInt;
  offered: number;
}

export interface DeliveryTables {
  delta_packages: DeltaPackagesTable;
  delivery_reports: DeliveryReportsTable;
  vehicle_manifest_counters: VehicleManifestCountersTable;
  delivery_rejections: DeliveryRejectionsTable;
  campaign_dispatch_pace: CampaignDispatchPaceTable;
}

export const DELIVERY_COLUMNS = {
  delta_packages: {
    base_sha256: 'text',
    target_sha256: 'text',
    sha256: 'text',
    length: 'int8',
    base_length: 'int8',
    created_at: 'timestamptz',
  },
  delivery_reports: {
    vin: 'text',
    campaign_id: 'int4',
    report_id: 'text',
    kind: 'text',
    received_at: 'timestamptz',
  },
  vehicle_manifest_counters: { vin: 'text', counter: 'int8', received_at: 'timestamptz' },
  delivery_rejections: { id: 'int8', vin: 'text null', topic: 'text', reason: 'text', at: 'timestamptz' },
  campaign_dispatch_pace: { campaign_id: 'int4', second: 'int8', offered: 'int4' },
} as const satisfies TableColumns<DeliveryTables>;
