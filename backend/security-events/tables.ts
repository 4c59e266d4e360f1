import type { ColumnType } from 'kysely';
import type { TableColumns } from '../db/column-manifest.ts';
import type { Timestamp } from '../db/column-types.ts';

// Row type of the table migrations/0300_security_events.ts adds.
export interface SecurityEventsTable {
  /** `<vin>-<counter>`: stable across resends, and the SIEM's event id. */
  id: string;
  vin: string;
  counter: ColumnType<string, number, never>;
  type: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  occurred_at: Timestamp;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  details: string;
  campaign_id: number | null;
  /** The signed event as the vehicle signed it (its `signed` part) and its signatures. */
  event: ColumnType<Record<string, unknown>, string, never>;
  signatures: ColumnType<unknown[], string, never>;
  vulnerability_id: ColumnType<number | null, undefined, number>;
  vehicle_isolated_at: ColumnType<Date | null, undefined, Date>;
  siem_delivered_at: ColumnType<Date | null, undefined, Date>;
}

export interface SecurityEventTables {
  security_events: SecurityEventsTable;
}

export const SECURITY_EVENT_COLUMNS = {
  security_events: {
    id: 'text',
    vin: 'text',
    counter: 'int8',
    type: 'text',
    severity: 'text',
    occurred_at: 'timestamptz',
    received_at: 'timestamptz',
    details: 'text',
    campaign_id: 'int4 null',
    event: 'jsonb',
    signatures: 'jsonb',
    vulnerability_id: 'int4 null',
    vehicle_isolated_at: 'timestamptz null',
    siem_delivered_at: 'timestamptz null',
  },
} as const satisfies TableColumns<SecurityEventTables>;
