import { sql } from 'kysely';
import type { EcuResult } from '../../../protocol/messages/ecu-result.ts';
import type { EcuOutcome } from '../../../protocol/messages/ecu-result.ts';
import type { DeliveryDb } from '../schema.ts';
import { ACTIVE_VEHICLE_STATES } from '../../campaigns/states.ts';
import { stateOfOutcome } from '../vehicle-states.ts';

/** One wave of one campaign. */
export interface WaveKey {
  readonly campaignId: number;
  readonly waveNo: number;
}

export interface ResultReport {
  readonly vin: string;
  readonly campaignId: number;
  /** Unique per report: a redelivered report with the same id changes nothing. */
  readonly reportId: string;
  readonly outcome: EcuOutcome;
  readonly ecus: readonly EcuResult[];
  readonly error?: { code: string; message: string } | undefined;
}

export interface AppliedResults {
  /** Waves whose vehicles changed state (to evaluate their thresholds). */
  readonly waves: WaveKey[];
  readonly applied: number;
  readonly duplicates: number;
  /** Reports for a vehicle not in that campaign. */
  readonly notInCampaign: ResultReport[];
}

/**
 * Applies final results in one transaction, set-based: the report ids are inserted first (a
 * duplicate conflicts and is dropped), then the vehicles still in a non-final state move to the
 * outcome's state with an event each, and the per-ECU records are upserted.
 *
 * A gateway's final result closes a vehicle from ANY active state, not only from `installing` as
 * the domain's step table (VEHICLE_TRANSITIONS) has it: a batch's results are applied before its
 * progress reports, and over shared subscriptions a result can overtake the progress sent before
 * it, so a vehicle still at offered..downloaded must not be left there for good.
 */
export async function applyResults(
  db: DeliveryDb,
  reports: readonly ResultReport[],
  now: Date = new Date(),
): Promise<AppliedResults> {
  if (reports.length === 0) return { waves: [], applied: 0, duplicates: 0, notInCampaign: [] };
  return db.transaction().execute(async (trx) => {
    const inserted = await sql<{ vin: string; campaign_id: number; report_id: string }>`
      INSERT INTO delivery_reports (vin, campaign_id, report_id, kind)
      SELECT vin, campaign_id, report_id, 'result'
      FROM unnest(${reports.map((r) => r.vin)}::text[], ${reports.map((r) => r.campaignId)}::int[], ${reports.map((r) => r.reportId)}::text[])
        AS u(vin, campaign_id, report_id)
      ON CONFLICT DO NOTHING
      RETURNING vin, campaign_id, report_id`.execute(trx);
    const freshKeys = new Set(inserted.rows.map((r) => `${r.vin}/${r.campaign_id}/${r.report_id}`));
    // One report per vehicle and campaign: within a batch, the last one wins.
    const fresh = new Map<string, ResultReport>();
    for (const r of reports)
      if (freshKeys.has(`${r.vin}/${r.campaignId}/${r.reportId}`)) fresh.set(`${r.vin}/${r.campaignId}`, r);
    const list = [...fresh.values()];
    if (list.length === 0) return { waves: [], applied: 0, duplicates: reports.length, notInCampaign: [] };

    const moved = await sql<{ campaign_id: number; vin: string; wave_no: number }>`
      WITH u AS (
        SELECT * FROM unnest(${list.map((r) => r.vin)}::text[], ${list.map((r) => r.campaignId)}::int[],
                             ${list.map((r) => stateOfOutcome(r.outcome))}::text[], ${list.map((r) => (r.error ? `${r.error.code}: ${r.error.message}` : null))}::text[])
          AS u(vin, campaign_id, state, error)
      ), old AS (
        SELECT cv.campaign_id, cv.vin, cv.state, u.state AS new_state, u.error
        FROM campaign_vehicles cv JOIN u ON cv.campaign_id = u.campaign_id AND cv.vin = u.vin
        WHERE cv.state = ANY(${ACTIVE_VEHICLE_STATES}::text[])
        FOR UPDATE OF cv
      ), upd AS (
        UPDATE campaign_vehicles cv SET state = old.new_state, state_changed_at = ${now}, error = old.error
        FROM old WHERE cv.campaign_id = old.campaign_id AND cv.vin = old.vin
        RETURNING cv.campaign_id, cv.vin, cv.wave_no
      ), events AS (
        INSERT INTO campaign_vehicle_events (campaign_id, vin, from_state, to_state, at)
        SELECT campaign_id, vin, state, new_state, ${now} FROM old
      )
      SELECT campaign_id, vin, wave_no FROM upd`.execute(trx);

    const ecus = list.flatMap((r) => r.ecus.map((e) => ({ r, e })));
    if (ecus.length > 0) {
      await sql`
        INSERT INTO campaign_ecus (campaign_id, vin, ecu_serial, hardware_id, release_id, from_version, to_version, result, nrc, error, bytes_on_bus, duration_ms, finished_at)
        SELECT u.campaign_id, u.vin, u.serial, e.hardware_id, rel.release_id, u.from_version, u.to_version, u.result, u.nrc, u.error, u.bytes, u.duration, ${now}
        FROM unnest(${ecus.map((x) => x.r.campaignId)}::int[], ${ecus.map((x) => x.r.vin)}::text[], ${ecus.map((x) => x.e.ecuSerial)}::text[],
                    ${ecus.map((x) => x.e.fromVersion)}::text[], ${ecus.map((x) => x.e.toVersion)}::text[], ${ecus.map((x) => stateOfOutcome(x.e.result))}::text[],
                    ${ecus.map((x) => (x.e.nrc === undefined ? null : `0x${x.e.nrc.toString(16).padStart(2, '0')}`))}::text[],
                    ${ecus.map((x) => x.e.error ?? null)}::text[], ${ecus.map((x) => x.e.bytesOnBus)}::bigint[], ${ecus.map((x) => x.e.durationMs)}::int[])
          AS u(campaign_id, vin, serial, from_version, to_version, result, nrc, error, bytes, duration)
        JOIN campaign_vehicles cv ON cv.campaign_id = u.campaign_id AND cv.vin = u.vin
        JOIN ecus e ON e.vin = u.vin AND e.serial = u.serial
        JOIN LATERAL (
          SELECT r.id AS release_id FROM campaign_releases cr JOIN releases r ON r.id = cr.release_id
          WHERE cr.campaign_id = u.campaign_id AND r.hardware_id = e.hardware_id ORDER BY r.id LIMIT 1
        ) rel ON true
        ON CONFLICT (campaign_id, vin, ecu_serial) DO UPDATE SET
          from_version = excluded.from_version, to_version = excluded.to_version, result = excluded.result, nrc = excluded.nrc,
          error = excluded.error, bytes_on_bus = excluded.bytes_on_bus, duration_ms = excluded.duration_ms, finished_at = excluded.finished_at`.execute(
        trx,
      );
    }

    const inCampaign = await sql<{ vin: string; campaign_id: number }>`
      SELECT vin, campaign_id FROM campaign_vehicles
      WHERE (campaign_id, vin) IN (SELECT * FROM unnest(${list.map((r) => r.campaignId)}::int[], ${list.map((r) => r.vin)}::text[]))`.execute(
      trx,
    );
    const known = new Set(inCampaign.rows.map((r) => `${r.vin}/${r.campaign_id}`));
    const waves = new Map(
      moved.rows.map((r) => [`${r.campaign_id}/${r.wave_no}`, { campaignId: r.campaign_id, waveNo: r.wave_no }]),
    );
    return {
      waves: [...waves.values()],
      applied: moved.rows.length,
      duplicates: reports.length - freshKeys.size,
      notInCampaign: list.filter((r) => !known.has(`${r.vin}/${r.campaignId}`)),
    };
  });
}
