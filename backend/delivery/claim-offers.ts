import { sql } from 'kysely';
import { lockedMoves, moveVehicles } from '../campaigns/vehicle-moves.ts';
import type { Db } from '../db/database.ts';

export interface ClaimedOffer {
  readonly vin: string;
  readonly waveNo: number;
  /** The vehicle's attempt at the campaign, which its offer carries (read by the claim, not again). */
  readonly attempt: number;
}

/**
 * Claims the next `limit` pending vehicles of a started wave after the keyset cursor `afterVin`
 * and marks them `offered` in the same statement (with their state events). Only vehicles whose
 * local time (their time_zone) is inside one of the campaign's install windows are taken; the
 * others stay pending for a later pass. SKIP LOCKED lets several backend instances dispatch at once.
 */
export async function claimOffers(
  db: Db,
  opts: { campaignId: number; waveNo: number; afterVin: string; limit: number; now?: Date },
): Promise<ClaimedOffer[]> {
  const now = opts.now ?? new Date();
  const next = sql`
    WITH policy AS (
      SELECT install_policy->'windows' AS windows FROM campaigns WHERE id = ${opts.campaignId}
    )
    SELECT cv.campaign_id, cv.vin, cv.state FROM campaign_vehicles cv, policy p
    WHERE cv.campaign_id = ${opts.campaignId} AND cv.wave_no = ${opts.waveNo}
      AND cv.state = 'pending' AND cv.vin > ${opts.afterVin}
      AND (
        -- Without install windows no vehicle row is read (most campaigns).
        coalesce(jsonb_array_length(p.windows), 0) = 0
        OR EXISTS (
          SELECT 1 FROM vehicles v, jsonb_array_elements(p.windows) w,
            LATERAL (SELECT (${now}::timestamptz AT TIME ZONE v.time_zone)::time AS t,
                            (w->>'from')::time AS f, (w->>'to')::time AS u) x
          WHERE v.vin = cv.vin
            AND CASE WHEN x.f <= x.u THEN x.t >= x.f AND x.t < x.u ELSE x.t >= x.f OR x.t < x.u END
        )
      )
    ORDER BY cv.vin
    LIMIT ${opts.limit}
    FOR UPDATE OF cv SKIP LOCKED`;
  const offered = await moveVehicles(db, lockedMoves(next, 'offered', now));
  return offered.map((r) => ({ vin: r.vin, waveNo: opts.waveNo, attempt: r.attempt }));
}
