import type { Db } from '../../db/database.ts';

export interface Rejection {
  readonly vin: string | null;
  readonly topic: string;
  readonly reason: string;
  /** A refused security event's counter (its vehicle's other events on the topic may be fine). */
  readonly counter?: number;
}

export type DeliveryLog = (line: string) => void;

/** Records refused input (bad signature, unknown vehicle, stale counter, malformed) and logs it. */
export async function recordRejections(db: Db, rejections: readonly Rejection[], log: DeliveryLog): Promise<void> {
  if (rejections.length === 0) return;
  for (const r of rejections) log(`delivery: rejected ${r.topic}: ${r.reason}`);
  await db
    .insertInto('delivery_rejections')
    .values(rejections.map((r) => ({ vin: r.vin, topic: r.topic, reason: r.reason.slice(0, 2000) })))
    .execute();
}
