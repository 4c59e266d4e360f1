import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Selectable, Transaction } from 'kysely';
import type { AuditLogTable } from './tables.ts';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import type { Page, PageQuery } from '../http/pagination.ts';
import { asStoredJson, canonicalJson } from './canonical-json.ts';

export interface Actor {
  userId: number | null;
  name: string;
}
export const SYSTEM_ACTOR: Actor = { userId: null, name: 'system' };

export interface AuditInput {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  reason?: string | null | undefined;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  details: unknown;
  reason: string | null;
  prevHash: string;
  hash: string;
}

export function actorLabel(actor: Actor): string {
  return actor.userId === null ? actor.name : `user:${actor.userId}:${actor.name}`;
}

/** The hash covers every field of the entry except the hash itself, in canonical JSON. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

/**
 * Appends one entry inside the caller's transaction, so the change and its audit record commit or
 * roll back together. Locking the head row serialises writers and keeps sequence numbers gapless.
 */
export async function appendAudit(trx: Transaction<Database>, input: AuditInput): Promise<AuditEntry> {
  const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).forUpdate().executeTakeFirstOrThrow();
  const unhashed: Omit<AuditEntry, 'hash'> = {
    seq: Number(head.seq) + 1,
    at: new Date().toISOString(),
    actor: actorLabel(input.actor),
    action: input.action,
    entityType: input.entityType,
    entityId: String(input.entityId),
    before: asStoredJson(input.before),
    after: asStoredJson(input.after),
    details: asStoredJson(input.details),
    reason: input.reason ?? null,
    prevHash: head.hash,
  };
  const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
  await trx
    .insertInto('audit_log')
    .values({
      seq: entry.seq,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before: JSON.stringify(entry.before),
      after: JSON.stringify(entry.after),
      details: JSON.stringify(entry.details),
      reason: entry.reason,
      prev_hash: entry.prevHash,
      hash: entry.hash,
    })
    .execute();
  await trx.updateTable('audit_head').set({ seq: entry.seq, hash: entry.hash }).execute();
  return entry;
}

type AuditRow = Selectable<AuditLogTable>;

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before,
    after: row.after,
    details: row.details,
    reason: row.reason,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface AuditFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  /** The stored actor label ("system", "user:7:maria") or a user's name. */
  actor?: string | undefined;
  /** Entries at or after this time... */
  from?: Date | undefined;
  /** ...and before this one. */
  to?: Date | undefined;
  /** Newest first (the dashboard's view); the API reads oldest first. */
  newestFirst?: boolean | undefined;
}

/** One page of the log, oldest first (or newest first), filtered by entity, actor and time. */
export async function listAuditEntries(db: Db, filter: AuditFilter, page: PageQuery): Promise<Page<AuditEntry>> {
  const after = decodeCursor<number>(page.cursor, 'number');
  const { actor, from, to } = filter;
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .$if(after !== null, (b) => b.where('seq', filter.newestFirst ? '<' : '>', String(after)))
    .$if(filter.entityType !== undefined, (b) => b.where('entity_type', '=', filter.entityType ?? ''))
    .$if(filter.entityId !== undefined, (b) => b.where('entity_id', '=', filter.entityId ?? ''))
    // User names hold no ':', so the third part of "user:ID:NAME" is the name.
    .$if(actor !== undefined, (b) =>
      b.where((eb) =>
        eb.or([eb('actor', '=', actor ?? ''), eb(sql<string>`split_part(actor, ':', 3)`, '=', actor ?? '')]),
      ),
    )
    .$if(from !== undefined, (b) => b.where('at', '>=', from ?? new Date(0)))
    .$if(to !== undefined, (b) => b.where('at', '<', to ?? new Date(0)))
    .orderBy('seq', filter.newestFirst ? 'desc' : 'asc')
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (r) => Number(r.seq), toAuditEntry);
}
