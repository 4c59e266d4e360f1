import type { ColumnType, Generated } from 'kysely';
import type { TableColumns } from '../db/column-manifest.ts';
import type { CreatedAt, GeneratedTimestamp } from '../db/column-types.ts';
import type { Asil, EcuExposure, VehicleLifecycle } from './types.ts';

// Row types of the fleet tables (migrations/0002, 0201).
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

export interface FleetTables {
  vehicle_models: VehicleModelsTable;
  vehicles: VehiclesTable;
  ecus: EcusTable;
  ecu_version_history: EcuVersionHistoryTable;
}

export const FLEET_COLUMNS = {
  vehicle_models: { id: 'text', name: 'text', end_of_support: 'date null', created_at: 'timestamptz' },
  vehicles: {
    vin: 'text',
    model_id: 'text',
    model_year: 'int4',
    region: 'text',
    owner_ref: 'text null',
    tags: 'text[]',
    gateway_public_key: 'text null',
    lifecycle: 'text',
    time_zone: 'text',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  ecus: {
    id: 'int4',
    vin: 'text',
    serial: 'text',
    name: 'text',
    hardware_id: 'text',
    installed_version: 'text',
    image_sha256: 'text null',
    asil: 'text null',
    updated_at: 'timestamptz',
    exposure: 'text null',
  },
  ecu_version_history: {
    id: 'int8',
    vin: 'text',
    ecu_serial: 'text',
    hardware_id: 'text',
    from_version: 'text null',
    to_version: 'text',
    image_sha256: 'text null',
    source: 'text',
    at: 'timestamptz',
  },
} as const satisfies TableColumns<FleetTables>;
