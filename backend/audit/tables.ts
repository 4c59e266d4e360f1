import type { Generated } from 'kysely';
import type { TableColumns } from '../db/column-manifest.ts';
import type { BigInt, Json, Timestamp } from '../db/column-types.ts';

// Row types of the hash-chained audit log (migrations/0001).
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

export interface AuditTables {
  audit_head: AuditHeadTable;
  audit_log: AuditLogTable;
}

export const AUDIT_COLUMNS = {
  audit_head: { singleton: 'bool', seq: 'int8', hash: 'text' },
  audit_log: {
    seq: 'int8',
    at: 'timestamptz',
    actor: 'text',
    action: 'text',
    entity_type: 'text',
    entity_id: 'text',
    before: 'jsonb null',
    after: 'jsonb null',
    details: 'jsonb null',
    reason: 'text null',
    prev_hash: 'text',
    hash: 'text',
  },
} as const satisfies TableColumns<AuditTables>;
