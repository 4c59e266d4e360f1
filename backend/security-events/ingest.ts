// Stores the security events vehicles send: each verified against the gateway key registered for its VIN,
// then written once per (vin, counter) (a resent event changes nothing), set-based per batch. Events of an
// isolated vehicle are still taken: that is when the operator most wants to hear from it.
import { SecurityEventError, securityEventId, verifySecurityEvent, gatewayKeyToHex } from '@ota/protocol';
import type { SecurityEvent, SignedSecurityEvent } from '@ota/protocol';
import { ed25519PublicKey } from '@ota/protocol/keys';
import type { Rejection } from '../delivery/ingest/rejections.ts';
import type { Db } from '../db/database.ts';

export interface ReceivedSecurityEvent {
  readonly vin: string;
  readonly topic: string;
  /** The decoded JSON envelope, not yet trusted. */
  readonly envelope: { signatures: SignedSecurityEvent['signatures']; signed: unknown };
}

interface Verified {
  event: SecurityEvent;
  signatures: SignedSecurityEvent['signatures'];
}

const CAMPAIGN_ID = /^\d{1,9}$/;

export async function applySecurityEvents(
  db: Db,
  received: readonly ReceivedSecurityEvent[],
): Promise<{ stored: number; rejected: Rejection[] }> {
  if (received.length === 0) return { stored: 0, rejected: [] };
  const vins = [...new Set(received.map((r) => r.vin))];
  const keys = await db.selectFrom('vehicles').select(['vin', 'gateway_public_key']).where('vin', 'in', vins).execute();
  const keyOf = new Map(keys.map((k) => [k.vin, k.gateway_public_key ? gatewayKeyToHex(k.gateway_public_key) : null]));
  const rejected: Rejection[] = [];
  const verified: Verified[] = [];
  for (const r of received) {
    const claimed = (r.envelope.signed as { counter?: unknown } | null)?.counter;
    const refuse = (reason: string) =>
      rejected.push({
        vin: r.vin,
        topic: r.topic,
        reason,
        ...(typeof claimed === 'number' ? { counter: claimed } : {}),
      });
    const keyHex = keyOf.get(r.vin);
    if (!keyHex) {
      refuse(keyOf.has(r.vin) ? 'vehicle has no registered Ed25519 gateway key' : 'unknown vehicle');
      continue;
    }
    try {
      const event = verifySecurityEvent(r.envelope, ed25519PublicKey(keyHex));
      if (event.vin !== r.vin)
        throw new SecurityEventError('malformed', `event names ${event.vin}, sent on ${r.vin}'s topic`);
      verified.push({ event, signatures: r.envelope.signatures });
    } catch (error) {
      if (!(error instanceof SecurityEventError)) throw error;
      refuse(error.message);
    }
  }
  return { stored: await insertEvents(db, verified), rejected };
}

async function insertEvents(db: Db, verified: readonly Verified[]): Promise<number> {
  if (verified.length === 0) return 0;
  const campaignIds = [
    ...new Set(
      verified.flatMap((v) =>
        v.event.campaignId && CAMPAIGN_ID.test(v.event.campaignId) ? [Number(v.event.campaignId)] : [],
      ),
    ),
  ];
  const known = new Set(
    campaignIds.length === 0
      ? []
      : (await db.selectFrom('campaigns').select('id').where('id', 'in', campaignIds).execute()).map((c) => c.id),
  );
  const rows = verified.map(({ event, signatures }) => {
    const campaign = event.campaignId && CAMPAIGN_ID.test(event.campaignId) ? Number(event.campaignId) : null;
    return {
      id: securityEventId(event.vin, event.counter),
      vin: event.vin,
      counter: event.counter,
      type: event.type,
      severity: event.severity,
      occurred_at: event.at,
      details: event.details,
      campaign_id: campaign !== null && known.has(campaign) ? campaign : null,
      event: JSON.stringify(event),
      signatures: JSON.stringify(signatures),
    };
  });
  const result = await db
    .insertInto('security_events')
    .values(rows)
    .onConflict((oc) => oc.columns(['vin', 'counter']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
