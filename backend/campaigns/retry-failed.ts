import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { applyAudited } from '../audit/audited-change.ts';
import type { Actor } from '../audit/service.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { conflict, notFound } from '../http/problem.ts';
import { RETRY_CAMPAIGN_STATES, RETRYABLE_VEHICLE_STATES } from './states.ts';
import { moveVehicles, retryMoves } from './vehicle-moves.ts';

/** VINs kept in the audit entry of one retry (the count is always there). */
const AUDITED_VINS = 200;

/**
 * Sends a running or paused campaign's failed vehicles (RETRYABLE_VEHICLE_STATES) back to pending,
 * so the dispatcher offers them again. Their ECU outcomes are cleared for the new attempt (a
 * success without per-ECU results marks the ECUs still without one as updated); the vehicle keeps
 * its last error until the next result. Returns how many vehicles were sent back.
 */
export async function retryFailedVehicles(
  db: Db,
  actor: Actor,
  id: number,
  reason: string,
  now: Date = new Date(),
): Promise<{ retriedVehicles: number }> {
  return db.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('campaigns').select('state').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!c) throw notFound('campaign', id);
    if (!RETRY_CAMPAIGN_STATES.includes(c.state)) {
      throw conflict(
        `campaign ${id} is ${c.state}; failed vehicles are retried only while it is ${RETRY_CAMPAIGN_STATES.join(' or ')}`,
        'not-retryable',
      );
    }
    const moved = await moveVehicles(
      trx,
      retryMoves(
        sql`SELECT campaign_id, vin FROM campaign_vehicles WHERE campaign_id = ${id} AND state = ANY(${[...RETRYABLE_VEHICLE_STATES]}::text[])`,
        now,
      ),
    );
    if (moved.length === 0) throw conflict(`campaign ${id} has no failed vehicle to retry`, 'nothing-to-retry');
    const vins = moved.map((m) => m.vin);
    await applyAudited(
      trx,
      { actor, action: 'campaign.retry_failed', entityType: 'campaign', entityId: id, reason },
      {
        apply: () => clearEcuOutcomes(trx, id, vins),
        details: () => ({ retriedVehicles: vins.length, vins: vins.slice(0, AUDITED_VINS) }),
      },
    );
    return { retriedVehicles: vins.length };
  });
}

/** The vehicles' ECU outcomes are cleared for the new attempt. */
async function clearEcuOutcomes(trx: Transaction<Database>, id: number, vins: string[]): Promise<void> {
  await trx
    .updateTable('campaign_ecus')
    .set({ result: null, nrc: null, error: null, bytes_on_bus: null, duration_ms: null, finished_at: null })
    .where('campaign_id', '=', id)
    .where('vin', 'in', vins)
    .execute();
}
