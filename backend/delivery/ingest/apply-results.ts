import { sql } from 'kysely';
import type { QueryExecutorProvider } from 'kysely';
import type { EcuResult, VehicleOutcome } from '@ota/protocol/messages';
import type { Db } from '../../db/database.ts';
import { listedMoves, moveVehicles } from '../../campaigns/vehicle-moves.ts';

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
  /** Named as the vehicle state it leads to. */
  readonly outcome: VehicleOutcome;
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
 * duplicate conflicts and is dropped), then the vehicles move to the outcome's state along the
 * domain's legal moves (a result closes a vehicle from any state after its offer: results may
 * overtake progress), and the per-ECU records are upserted.
 */
export async function applyResults(
  db: Db,
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

    const moved = await moveVehicles(
      trx,
      listedMoves(
        list.map((r) => ({
          campaignId: r.campaignId,
          vin: r.vin,
          to: r.outcome,
          at: now,
          error: r.error ? `${r.error.code}: ${r.error.message}` : null,
        })),
      ),
    );

    await upsertEcuResults(trx, list, now);
    // Not moved: a final state already (a late duplicate under another id), or not in the campaign.
    const movedKeys = new Set(moved.map((r) => `${r.vin}/${r.campaignId}`));
    const unmoved = list.filter((r) => !movedKeys.has(`${r.vin}/${r.campaignId}`));
    const inCampaign =
      unmoved.length === 0
        ? { rows: [] }
        : await sql<{ vin: string; campaign_id: number }>`
      SELECT vin, campaign_id FROM campaign_vehicles
      WHERE (campaign_id, vin) IN (SELECT * FROM unnest(${unmoved.map((r) => r.campaignId)}::int[], ${unmoved.map((r) => r.vin)}::text[]))`.execute(
            trx,
          );
    const known = new Set(inCampaign.rows.map((r) => `${r.vin}/${r.campaign_id}`));
    const waves = new Map(
      moved.map((r) => [`${r.campaignId}/${r.waveNo}`, { campaignId: r.campaignId, waveNo: r.waveNo }]),
    );
    return {
      waves: [...waves.values()],
      applied: moved.length,
      duplicates: reports.length - freshKeys.size,
      notInCampaign: unmoved.filter((r) => !known.has(`${r.vin}/${r.campaignId}`)),
    };
  });
}

/**
 * Records each ECU's outcome (a report resent under a new id overwrites). Submitting planned a row
 * for every ECU the campaign updates, so the rows are updated in place (HOT, migrations/0403): an
 * upsert of every ECU first tried to insert it, found the conflict by the primary key and locked the
 * row (a WAL record), and joined the vehicle and its ECU for values an update keeps. Only an ECU no
 * row was planned for is inserted (then the vehicle must be in the campaign and a release of the
 * campaign fit the ECU's hardware, the release looked up once per campaign and hardware id).
 */
async function upsertEcuResults(trx: QueryExecutorProvider, list: readonly ResultReport[], now: Date): Promise<void> {
  const ecus = list.flatMap((r) => r.ecus.map((e) => ({ r, e })));
  if (ecus.length === 0) return;
  await sql`
    WITH u AS (
      SELECT * FROM unnest(${ecus.map((x) => x.r.campaignId)}::int[], ${ecus.map((x) => x.r.vin)}::text[], ${ecus.map((x) => x.e.ecuSerial)}::text[],
                  ${ecus.map((x) => x.e.fromVersion)}::text[], ${ecus.map((x) => x.e.toVersion)}::text[], ${ecus.map((x) => x.e.result)}::text[],
                  ${ecus.map((x) => (x.e.nrc === undefined ? null : `0x${x.e.nrc.toString(16).padStart(2, '0')}`))}::text[],
                  ${ecus.map((x) => x.e.error ?? null)}::text[], ${ecus.map((x) => x.e.bytesOnBus)}::bigint[], ${ecus.map((x) => x.e.durationMs)}::int[])
        AS u(campaign_id, vin, serial, from_version, to_version, result, nrc, error, bytes, duration)
    ), planned AS (
      UPDATE campaign_ecus ce SET
        from_version = u.from_version, to_version = u.to_version, result = u.result, nrc = u.nrc,
        error = u.error, bytes_on_bus = u.bytes, duration_ms = u.duration, finished_at = ${now}
      -- Each row found by its key first, one index probe per ECU whatever the statistics say: joined
      -- on the key, a fresh campaign's table was read whole into a hash for every batch. A row another
      -- transaction changed after this statement's snapshot is not updated so (its ctid is stale): it
      -- is left to the insert's conflict below.
      FROM u WHERE ce.ctid = ANY(ARRAY(
          SELECT (SELECT k.ctid FROM campaign_ecus k
                  WHERE k.campaign_id = u.campaign_id AND k.vin = u.vin AND k.ecu_serial = u.serial)
          FROM u))
        AND ce.campaign_id = u.campaign_id AND ce.vin = u.vin AND ce.ecu_serial = u.serial
      RETURNING ce.campaign_id, ce.vin, ce.ecu_serial
    ), rel AS (
      SELECT DISTINCT ON (cr.campaign_id, r.hardware_id) cr.campaign_id, r.hardware_id, r.id AS release_id
      FROM campaign_releases cr JOIN releases r ON r.id = cr.release_id
      WHERE cr.campaign_id = ANY(${[...new Set(list.map((r) => r.campaignId))]}::int[])
      ORDER BY cr.campaign_id, r.hardware_id, r.id
    )
    INSERT INTO campaign_ecus (campaign_id, vin, ecu_serial, hardware_id, release_id, from_version, to_version, result, nrc, error, bytes_on_bus, duration_ms, finished_at)
    SELECT u.campaign_id, u.vin, u.serial, e.hardware_id, rel.release_id, u.from_version, u.to_version, u.result, u.nrc, u.error, u.bytes, u.duration, ${now}
    FROM u
    JOIN campaign_vehicles cv ON cv.campaign_id = u.campaign_id AND cv.vin = u.vin
    JOIN ecus e ON e.vin = u.vin AND e.serial = u.serial
    JOIN rel ON rel.campaign_id = u.campaign_id AND rel.hardware_id = e.hardware_id
    -- NOT IN, not NOT EXISTS: a hashed subplan; the anti-join was planned as a nested loop (a CTE is
    -- estimated at one row), which compares every report with every updated row.
    WHERE (u.campaign_id, u.vin, u.serial) NOT IN (SELECT campaign_id, vin, ecu_serial FROM planned)
    -- Changed or inserted meanwhile by another batch of the same vehicle (a resend that reached
    -- another instance).
    ON CONFLICT (campaign_id, vin, ecu_serial) DO UPDATE SET
      from_version = excluded.from_version, to_version = excluded.to_version, result = excluded.result, nrc = excluded.nrc,
      error = excluded.error, bytes_on_bus = excluded.bytes_on_bus, duration_ms = excluded.duration_ms, finished_at = excluded.finished_at`.execute(
    trx,
  );
}
