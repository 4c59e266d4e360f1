import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { EcuOutcome as EcuResultName } from '@ota/protocol/messages';
import type { Database } from '../db/schema.ts';
import type { VehicleCampaignState } from './types.ts';
import { appendAudit, SYSTEM_ACTOR } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import { conflict, notFound } from '../http/problem.ts';
import { REPORTING_CAMPAIGN_STATES, VEHICLE_STATE_RANK } from './states.ts';
import { listedMoves, moveVehicles } from './vehicle-moves.ts';

type Trx = Transaction<Database>;

export interface EcuOutcome {
  serial: string;
  result: EcuResultName;
  /** UDS negative response code, e.g. "0x72", when the ECU refused. */
  nrc?: string | null | undefined;
  error?: string | null | undefined;
  bytesOnBus?: number | null | undefined;
  durationMs?: number | null | undefined;
}

export interface VehicleReport {
  vin: string;
  state: VehicleCampaignState;
  /** When the vehicle reached the state (default: now). */
  at?: Date | undefined;
  error?: string | null | undefined;
  ecus?: EcuOutcome[] | undefined;
}

export interface VehicleReportResult {
  /** Moves that were made. */
  applied: number;
  /** Duplicates and stale reports (at or behind the current state): accepted, nothing changed. */
  ignored: number;
  /** Illegal moves or unknown vehicles, with the reason; nothing changed for them. */
  rejected: { vin: string; state: VehicleCampaignState; current: VehicleCampaignState | null; reason: string }[];
}

/**
 * Applies vehicle state reports for one campaign: idempotent (a report delivered twice changes
 * nothing) and batch-friendly (one UPDATE per round for the whole batch; a batch with several
 * reports for the same vehicle is applied in order, one round per position). Per-ECU outcomes are
 * recorded; on `succeeded` the inventory and version history are updated in the same transaction.
 * One audit entry summarises the batch.
 */
export async function applyVehicleReports(
  db: Db,
  campaignId: number,
  reports: VehicleReport[],
  actor: Actor = SYSTEM_ACTOR,
): Promise<VehicleReportResult> {
  return db.transaction().execute(async (trx) => {
    await lockReportingCampaign(trx, campaignId);
    const result: VehicleReportResult = { applied: 0, ignored: 0, rejected: [] };
    for (const round of reportRounds(reports)) await applyRound(trx, campaignId, round, result);
    await appendAudit(trx, {
      actor,
      action: 'campaign.vehicle_reports',
      entityType: 'campaign',
      entityId: campaignId,
      details: {
        reports: reports.length,
        applied: result.applied,
        ignored: result.ignored,
        rejected: result.rejected.length,
      },
    });
    return result;
  });
}

async function lockReportingCampaign(trx: Trx, campaignId: number): Promise<void> {
  const campaign = await trx
    .selectFrom('campaigns')
    .select('state')
    .where('id', '=', campaignId)
    .forUpdate()
    .executeTakeFirst();
  if (!campaign) throw notFound('campaign', campaignId);
  if (!REPORTING_CAMPAIGN_STATES.includes(campaign.state)) {
    throw conflict(
      `campaign ${campaignId} is ${campaign.state}; vehicle reports are accepted while running, paused or cancelled`,
      'wrong-state',
    );
  }
}

/** The reports in rounds: a vehicle's first report in round one, its second in round two, and so on. */
function reportRounds(reports: readonly VehicleReport[]): VehicleReport[][] {
  const rounds: VehicleReport[][] = [];
  const seen = new Map<string, number>();
  for (const report of reports) {
    const round = seen.get(report.vin) ?? 0;
    seen.set(report.vin, round + 1);
    (rounds[round] ??= []).push(report);
  }
  return rounds;
}

/** One UPDATE for the round's legal moves; the rest are explained, and the moved vehicles' ECU outcomes recorded. */
async function applyRound(trx: Trx, campaignId: number, round: VehicleReport[], result: VehicleReportResult) {
  const now = new Date();
  const moved = await moveVehicles(
    trx,
    listedMoves(round.map((r) => ({ campaignId, vin: r.vin, to: r.state, at: r.at ?? now, error: r.error ?? null }))),
  );
  const movedVins = new Set(moved.map((r) => r.vin));
  result.applied += movedVins.size;
  const rest = round.filter((r) => !movedVins.has(r.vin));
  if (rest.length > 0) {
    const current = await trx
      .selectFrom('campaign_vehicles')
      .select(['vin', 'state'])
      .where('campaign_id', '=', campaignId)
      .where(
        'vin',
        'in',
        rest.map((r) => r.vin),
      )
      .execute();
    const stateOf = new Map(current.map((c) => [c.vin, c.state]));
    for (const r of rest) explainUnmoved(r, stateOf.get(r.vin) ?? null, result);
  }
  await recordEcuOutcomes(
    trx,
    campaignId,
    round.filter((r) => movedVins.has(r.vin)),
  );
}

/** A report that moved nothing: a duplicate or stale one is ignored, an unknown vehicle or illegal move rejected. */
function explainUnmoved(r: VehicleReport, cur: VehicleCampaignState | null, result: VehicleReportResult): void {
  if (cur === null) {
    result.rejected.push({
      vin: r.vin,
      state: r.state,
      current: null,
      reason: 'vehicle is not a target of this campaign',
    });
  } else if (cur === r.state || VEHICLE_STATE_RANK[r.state] < VEHICLE_STATE_RANK[cur]) {
    result.ignored += 1;
  } else {
    result.rejected.push({ vin: r.vin, state: r.state, current: cur, reason: `illegal move ${cur} -> ${r.state}` });
  }
}

async function recordEcuOutcomes(db: Db, campaignId: number, moved: VehicleReport[]): Promise<void> {
  const outcomes = moved.flatMap((r) =>
    (r.ecus ?? []).map((e) => ({
      vin: r.vin,
      serial: e.serial,
      result: e.result,
      nrc: e.nrc ?? null,
      error: e.error ?? null,
      bytes: e.bytesOnBus ?? null,
      duration: e.durationMs ?? null,
      at: (r.at ?? new Date()).toISOString(),
    })),
  );
  if (outcomes.length > 0) {
    await sql`
      UPDATE campaign_ecus ce
      SET result = o.result, nrc = o.nrc, error = o.error, bytes_on_bus = o.bytes, duration_ms = o.duration, finished_at = o.at
      FROM jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb)
        AS o(vin text, serial text, result text, nrc text, error text, bytes bigint, duration int, at timestamptz)
      WHERE ce.campaign_id = ${campaignId} AND ce.vin = o.vin AND ce.ecu_serial = o.serial`.execute(db);
  }
  const succeeded = moved.filter((r) => r.state === 'succeeded').map((r) => r.vin);
  if (succeeded.length === 0) return;
  // A vehicle succeeds as a whole: ECUs without an explicit outcome are counted as updated.
  await sql`
    WITH done AS (
      UPDATE campaign_ecus SET result = coalesce(result, 'succeeded'), finished_at = coalesce(finished_at, now())
      WHERE campaign_id = ${campaignId} AND vin = ANY(${succeeded}::text[])
      RETURNING vin, ecu_serial, hardware_id, from_version, to_version, release_id, result
    ), images AS (
      SELECT DISTINCT ON (d.vin, d.ecu_serial) d.*, ri.sha256
      FROM done d LEFT JOIN release_images ri ON ri.release_id = d.release_id AND d.hardware_id = ANY(ri.hardware_ids)
      WHERE d.result = 'succeeded'
      ORDER BY d.vin, d.ecu_serial, ri.uploaded_at
    ), inventory AS (
      UPDATE ecus e SET installed_version = i.to_version, image_sha256 = coalesce(i.sha256, e.image_sha256), updated_at = now()
      FROM images i WHERE e.vin = i.vin AND e.serial = i.ecu_serial
      RETURNING e.id
    )
    INSERT INTO ecu_version_history (vin, ecu_serial, hardware_id, from_version, to_version, image_sha256, source)
    SELECT vin, ecu_serial, hardware_id, from_version, to_version, sha256, ${`campaign:${campaignId}`} FROM images`.execute(
    db,
  );
}
