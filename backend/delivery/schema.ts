import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

// Types of the tables and columns migrations/0100_delivery.ts adds.
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type BigInt = ColumnType<string, number | string | bigint, number | string | bigint>;

export interface TufMetadataTable {
  repository: 'image' | 'director';
  /** '' for the Image repository and the Director root; the VIN for per-vehicle Director metadata. */
  scope: string;
  role: 'root' | 'targets' | 'snapshot' | 'timestamp';
  version: number;
  bytes: Uint8Array;
  created_at: CreatedAt;
}
export interface ImageCodeSignaturesTable {
  sha256: string;
  signature: string;
  key_id: string;
  signed_at: CreatedAt;
}
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
  received_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export interface DeliveryRejectionsTable {
  id: ColumnType<string, never, never>;
  vin: string | null;
  topic: string;
  reason: string;
  at: CreatedAt;
}

export interface DeliveryDatabase extends Omit<Database, 'campaign_vehicles'> {
  campaign_vehicles: Database['campaign_vehicles'] & {
    offered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    offer_count: ColumnType<number, number | undefined, number>;
    /** migrations/0302: 1, then +1 per manual retry (the offer carries it). */
    attempt: ColumnType<number, number | undefined, number>;
  };
  tuf_metadata: TufMetadataTable;
  image_code_signatures: ImageCodeSignaturesTable;
  delta_packages: DeltaPackagesTable;
  delivery_reports: DeliveryReportsTable;
  vehicle_manifest_counters: VehicleManifestCountersTable;
  delivery_rejections: DeliveryRejectionsTable;
}

export type DeliveryDb = Kysely<DeliveryDatabase>;

/** The domain's database handle seen with the delivery tables too (same connection). */
export function asDeliveryDb(db: Kysely<Database>): DeliveryDb {
  return db as unknown as DeliveryDb;
}
