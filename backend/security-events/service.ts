// Reading stored security events (filters, one vehicle's, one event with what the rules propose) and the two
// actions an operator confirms on an event: open a vulnerability from it, isolate its vehicle. Both go through
// the existing vulnerability and fleet services (audited there) and are remembered on the event.
import { sql } from 'kysely';
import { SecurityEventSchema } from '@ota/protocol';
import type { SecurityEvent, SecurityEventType, SecuritySeverity } from '@ota/protocol';
import { appendAudit, type Actor } from '../audit/service.ts';
import type { Db } from '../db/database.ts';
import type { VehicleLifecycle } from '../fleet/types.ts';
import { changeVehicleLifecycle } from '../fleet/service.ts';
import { decodeCursor, toPage, type Page } from '../http/pagination.ts';
import { conflict, notFound } from '../http/problem.ts';
import { recordReport } from '../vulnerabilities/service.ts';
import { proposedActions, type ProposedAction } from './rules.ts';

export interface StoredSecurityEvent {
  id: string;
  vin: string;
  counter: number;
  type: SecurityEventType;
  severity: SecuritySeverity;
  occurredAt: string;
  receivedAt: string;
  details: string;
  campaignId: number | null;
  vulnerabilityId: number | null;
  vehicleIsolatedAt: string | null;
  siemDeliveredAt: string | null;
  /** The event as the vehicle signed it. */
  event: SecurityEvent;
}

export interface SecurityEventFilter {
  vin?: string | undefined;
  type?: SecurityEventType | undefined;
  severity?: SecuritySeverity | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

function baseQuery(db: Db) {
  return db.selectFrom('security_events').selectAll();
}
type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

export function toEvent(r: Row): StoredSecurityEvent {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: r.id,
    vin: r.vin,
    counter: Number(r.counter),
    type: r.type as SecurityEventType,
    severity: r.severity,
    occurredAt: r.occurred_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
    details: r.details,
    campaignId: r.campaign_id,
    vulnerabilityId: r.vulnerability_id,
    vehicleIsolatedAt: iso(r.vehicle_isolated_at),
    siemDeliveredAt: iso(r.siem_delivered_at),
    // Verified before it was stored; parsed again for its type.
    event: SecurityEventSchema.parse(r.event),
  };
}

/** Newest first; the cursor is the last item's `occurredAt|id`. */
export async function listSecurityEvents(db: Db, f: SecurityEventFilter): Promise<Page<StoredSecurityEvent>> {
  let q = baseQuery(db);
  if (f.vin) q = q.where('vin', '=', f.vin);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.severity) q = q.where('severity', '=', f.severity);
  if (f.from) q = q.where('occurred_at', '>=', new Date(f.from));
  if (f.to) q = q.where('occurred_at', '<', new Date(f.to));
  const cursor = decodeCursor<string>(f.cursor, 'string');
  if (cursor) {
    const [at, id] = [cursor.slice(0, cursor.indexOf('|')), cursor.slice(cursor.indexOf('|') + 1)];
    q = q.where(sql<boolean>`(occurred_at, id) < (${at}::timestamptz, ${id})`);
  }
  const rows = await q
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
  return toPage(rows, f.limit, (r) => `${r.occurred_at.toISOString()}|${r.id}`, toEvent);
}

export async function loadSecurityEvent(db: Db, id: string): Promise<StoredSecurityEvent> {
  const row = await baseQuery(db).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('security event', id);
  return toEvent(row);
}

/** The event with what the rules propose now (an action taken is proposed no more). */
export async function securityEventWithProposals(
  db: Db,
  id: string,
): Promise<{ event: StoredSecurityEvent; lifecycle: VehicleLifecycle; proposals: ProposedAction[] }> {
  const event = await loadSecurityEvent(db, id);
  const vehicle = await db
    .selectFrom('vehicles')
    .select('lifecycle')
    .where('vin', '=', event.vin)
    .executeTakeFirstOrThrow();
  const proposals = proposedActions({
    type: event.type,
    severity: event.severity,
    vulnerabilityId: event.vulnerabilityId,
    vehicleLifecycle: vehicle.lifecycle,
  });
  return { event, lifecycle: vehicle.lifecycle, proposals };
}

async function requireProposed(db: Db, id: string, action: ProposedAction['action']): Promise<StoredSecurityEvent> {
  const { event, proposals } = await securityEventWithProposals(db, id);
  if (!proposals.some((p) => p.action === action))
    throw conflict(`security event ${id}: no rule proposes ${action} (now)`, 'action-not-proposed');
  return event;
}

/** Opens a vulnerability (phase received) describing the event, and links the event to it. */
export async function openVulnerabilityFromEvent(db: Db, actor: Actor, id: string): Promise<StoredSecurityEvent> {
  const event = await requireProposed(db, id, 'open_vulnerability');
  return db.transaction().execute(async (trx) => {
    const vulnerability = await recordReport(trx, actor, {
      title: `Security event ${event.type} on ${event.vin}`.slice(0, 200),
      description: `${event.details}\n\nEvent ${event.id} at ${event.occurredAt}: ${JSON.stringify(event.event)}`,
      reporter: `vehicle ${event.vin}`,
      reporterKind: 'internal',
      reporterContact: null,
      attackVectorNote: event.type,
      impactNote: null,
      intrusionLevel: null,
      affected: [],
    });
    const linked = await trx
      .updateTable('security_events')
      .set({ vulnerability_id: vulnerability.id })
      .where('id', '=', id)
      .where('vulnerability_id', 'is', null)
      .executeTakeFirst();
    if (Number(linked.numUpdatedRows) !== 1) throw conflict(`security event ${id} already has a vulnerability`);
    const head = { actor, action: 'security_event.open_vulnerability', entityType: 'security_event', entityId: id };
    await appendAudit(trx, { ...head, after: { vulnerabilityId: vulnerability.id } });
    return { ...event, vulnerabilityId: vulnerability.id };
  });
}

/** Isolates the event's vehicle (fleet lifecycle, which cancels its waiting campaign entries). */
export async function isolateVehicleFromEvent(
  db: Db,
  actor: Actor,
  id: string,
  reason: string,
): Promise<StoredSecurityEvent> {
  const event = await requireProposed(db, id, 'isolate_vehicle');
  await changeVehicleLifecycle(db, actor, event.vin, { to: 'isolated', reason: `security event ${id}: ${reason}` });
  const at = new Date();
  await db.updateTable('security_events').set({ vehicle_isolated_at: at }).where('id', '=', id).execute();
  return { ...event, vehicleIsolatedAt: at.toISOString() };
}

/** The SIEM outbox: events not yet delivered to the collector, oldest first. */
export async function undeliveredSecurityEvents(db: Db, limit: number): Promise<StoredSecurityEvent[]> {
  const rows = await baseQuery(db)
    .where('siem_delivered_at', 'is', null)
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toEvent);
}

export async function markSiemDelivered(db: Db, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('security_events')
    .set({ siem_delivered_at: at })
    .where('id', 'in', ids)
    .where('siem_delivered_at', 'is', null)
    .execute();
}
