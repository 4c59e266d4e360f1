import { sql } from 'kysely';
import { encodeMessage, vehicleTopic } from '@ota/protocol/messages';
import { formatExpires } from '@ota/protocol/tuf';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import type { Db } from '../db/database.ts';

/** Bytes each vehicle will download for a campaign: the delta where one is cached, else the image. */
async function downloadBytes(db: Db, campaignId: number, vins: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql<{ vin: string; bytes: string }>`
    SELECT e.vin, sum(coalesce(d.length, i.length)) AS bytes
    FROM ecus e
    JOIN campaign_releases cr ON cr.campaign_id = ${campaignId}
    JOIN release_images i ON i.release_id = cr.release_id AND e.hardware_id = ANY(i.hardware_ids)
    LEFT JOIN delta_packages d ON d.base_sha256 = e.image_sha256 AND d.target_sha256 = i.sha256
    WHERE e.vin = ANY(${[...vins]}::text[]) AND (e.image_sha256 IS NULL OR e.image_sha256 <> i.sha256)
    GROUP BY e.vin`.execute(db);
  return new Map(rows.rows.map((r) => [r.vin, Number(r.bytes)]));
}

/** Each vehicle's attempt at a campaign (the offer carries it: a gateway skips attempts it finished). */
async function attempts(db: Db, campaignId: number, vins: readonly string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('campaign_vehicles')
    .select(['vin', 'attempt'])
    .where('campaign_id', '=', campaignId)
    .where('vin', 'in', [...vins])
    .execute();
  return new Map(rows.map((r) => [r.vin, r.attempt]));
}

/** Longest wait for the broker to acknowledge a batch of offers (the caller's transaction is open meanwhile). */
const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * Publishes one offer per vehicle (QoS 1, all in flight at once); resolves when the broker
 * acknowledged all, throws when it is not connected or does not acknowledge within
 * PUBLISH_TIMEOUT_MS (an offer may still leave later: a vehicle ignores a duplicate offer).
 */
export async function publishOffers(
  broker: BrokerClient,
  db: Db,
  campaign: { id: number; deadline: Date | null },
  vins: readonly string[],
  now: Date = new Date(),
): Promise<number> {
  if (vins.length === 0) return 0;
  if (!broker.mqtt.connected) throw new Error('cannot publish offers: not connected to the broker');
  const bytes = await downloadBytes(db, campaign.id, vins);
  const attemptOf = await attempts(db, campaign.id, vins);
  const offeredAt = formatExpires(now);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the broker did not acknowledge ${vins.length} offers within ${PUBLISH_TIMEOUT_MS} ms`)),
      PUBLISH_TIMEOUT_MS,
    );
  });
  const published = Promise.all(
    vins.map((vin) =>
      broker.publish(
        vehicleTopic(vin, 'offer'),
        encodeMessage('offer', {
          campaignId: String(campaign.id),
          offeredAt,
          ...(campaign.deadline ? { deadline: formatExpires(campaign.deadline) } : {}),
          downloadBytes: bytes.get(vin) ?? 0,
          attempt: attemptOf.get(vin) ?? 1,
        }),
      ),
    ),
  );
  try {
    await Promise.race([published, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return vins.length;
}

/**
 * Offers again to vehicles that just reported a version manifest (so they are online) and still
 * have an offer of a running campaign they have not finished downloading.
 */
export async function reofferOnline(broker: BrokerClient, db: Db, vins: readonly string[]): Promise<number> {
  if (vins.length === 0) return 0;
  const rows = await db
    .selectFrom('campaign_vehicles as cv')
    .innerJoin('campaigns as c', 'c.id', 'cv.campaign_id')
    .select(['cv.campaign_id', 'cv.vin', 'c.deadline_at'])
    .where('cv.vin', 'in', [...vins])
    .where('cv.state', 'in', ['offered', 'downloading'])
    .where('c.state', '=', 'running')
    .execute();
  return offerAgain(broker, db, rows);
}

/** Publishes offers again to vehicles already `offered` (no state change), grouped by campaign. */
export async function offerAgain(
  broker: BrokerClient,
  db: Db,
  rows: readonly { campaign_id: number; vin: string; deadline_at: Date | null }[],
): Promise<number> {
  const byCampaign = new Map<number, { deadline: Date | null; vins: string[] }>();
  for (const r of rows) {
    const entry = byCampaign.get(r.campaign_id) ?? { deadline: r.deadline_at, vins: [] };
    entry.vins.push(r.vin);
    byCampaign.set(r.campaign_id, entry);
  }
  let sent = 0;
  for (const [id, { deadline, vins: list }] of byCampaign)
    sent += await publishOffers(broker, db, { id, deadline }, list);
  return sent;
}
