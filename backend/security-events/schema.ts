import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

// Types of the table migrations/0300_security_events.ts adds.
type Timestamp = ColumnType<Date, Date | string, Date | string>;

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

export type SecurityDb = Kysely<Database & { security_events: SecurityEventsTable }>;

/** The domain's (or the delivery's) database handle seen with the security events table too. */
export function asSecurityDb(db: Kysely<Database>): SecurityDb {
  return db.withTables<{ security_events: SecurityEventsTable }>();
}
