// The one place that writes campaign_vehicles (and its event log and state counts). Every change of a
// vehicle's campaign state goes through moveVehicles, so the legal-move table is enforced everywhere,
// the event log records the state each vehicle really left, and the per-wave counts stay exact.
// test: vehicle-moves-only-writer.test.ts fails if any other file writes these tables.
import { sql } from 'kysely';
import type { QueryExecutorProvider, RawBuilder } from 'kysely';
import type { VehicleCampaignState } from './types.ts';
import { LEGAL_RETRY_MOVES, LEGAL_VEHICLE_MOVES } from './legal-moves-sql.ts';
import { WAITING_VEHICLE_STATES } from './states.ts';

/** Requested moves as SQL rows `(campaign_id, vin, to_state, at, error)`, at most one per vehicle. */
export interface VehicleMoves {
  readonly rows: RawBuilder<unknown>;
  /** The legal (from_state, to_state) pairs; VEHICLE_TRANSITIONS unless this is a manual retry. */
  readonly legal?: RawBuilder<unknown>;
  /** The rows also carry `from_state`, read under a FOR UPDATE lock this transaction holds (lockedMoves). */
  readonly locked?: true;
}

/** One requested move. */
export interface VehicleMove {
  readonly campaignId: number;
  readonly vin: string;
  readonly to: VehicleCampaignState;
  /** When the vehicle reached the state. */
  readonly at: Date;
  /** Kept when null: an error already recorded stays. */
  readonly error?: string | null | undefined;
}

/** A move that was made, with the state the vehicle really left. */
export interface MovedVehicle {
  readonly campaignId: number;
  readonly vin: string;
  readonly waveNo: number;
  readonly from: VehicleCampaignState;
  readonly to: VehicleCampaignState;
  /** The vehicle's attempt at the campaign after the move (what an offer carries). */
  readonly attempt: number;
}

/** Moves listed one by one (reports from vehicles). Throws on two moves for the same vehicle. */
export function listedMoves(moves: readonly VehicleMove[]): VehicleMoves {
  const keys = new Set(moves.map((m) => `${m.campaignId}/${m.vin}`));
  if (keys.size !== moves.length) throw new Error('listedMoves: at most one move per vehicle and campaign');
  return {
    rows: sql`SELECT * FROM unnest(
      ${moves.map((m) => m.campaignId)}::int[], ${moves.map((m) => m.vin)}::text[], ${moves.map((m) => m.to)}::text[],
      ${moves.map((m) => m.at.toISOString())}::timestamptz[], ${moves.map((m) => m.error ?? null)}::text[]
    ) AS m(campaign_id, vin, to_state, at, error)`,
  };
}

/**
 * The vehicles a query selects (rows with `campaign_id` and `vin`, each vehicle once; it may lock
 * with SKIP LOCKED), all moving to one state. Vehicles for which that move is illegal stay as they are.
 */
export function selectedMoves(
  selection: RawBuilder<unknown>,
  to: VehicleCampaignState,
  at: Date,
  error: string | null = null,
): VehicleMoves {
  return {
    rows: sql`SELECT s.campaign_id, s.vin, ${to}::text AS to_state, ${at.toISOString()}::timestamptz AS at, ${error}::text AS error
      FROM (${selection}) s`,
  };
}

/**
 * The vehicles a query selected and locked (FOR UPDATE, SKIP LOCKED allowed; rows with
 * `campaign_id`, `vin` and the `state` read under that lock), all moving to one state. Their rows
 * are not read and locked again: a claim's second pass over rows it holds was 15 % of the claim.
 */
export function lockedMoves(selection: RawBuilder<unknown>, to: VehicleCampaignState, at: Date): VehicleMoves {
  return {
    rows: sql`SELECT s.campaign_id, s.vin, ${to}::text AS to_state, ${at.toISOString()}::timestamptz AS at,
        NULL::text AS error, s.state AS from_state
      FROM (${selection}) s`,
    locked: true,
  };
}

/**
 * A campaign manager's retry: the selected vehicles in a RETRYABLE_VEHICLE_STATES state go back to
 * pending (the only moves out of a final state, and never made by a vehicle's report).
 */
export function retryMoves(selection: RawBuilder<unknown>, at: Date): VehicleMoves {
  return { ...selectedMoves(selection, 'pending', at), legal: LEGAL_RETRY_MOVES };
}

/** The moves of `asked` that are legal from the state read under its lock (rows held already). */
const legalOfLocked = sql`
  SELECT a.campaign_id, a.vin, a.from_state, a.to_state, a.at, a.error
  FROM asked a JOIN legal l ON l.to_state = a.to_state
  WHERE a.from_state = ANY(l.from_states)`;

/** Locks the vehicles of `asked` in key order and keeps the moves legal from the state read under the lock. */
const lockLegal = sql`
  SELECT cv.campaign_id, cv.vin, cv.state AS from_state, a.to_state, a.at, a.error
  FROM campaign_vehicles cv
  JOIN asked a ON a.campaign_id = cv.campaign_id AND a.vin = cv.vin
  JOIN legal l ON l.to_state = a.to_state
  -- A row another transaction changed meanwhile is re-checked against its new state, hence the
  -- test of the state against all legal origins rather than a join on one (from, to) pair.
  WHERE cv.state = ANY(l.from_states)
  ORDER BY cv.campaign_id, cv.vin
  FOR UPDATE OF cv`;

/**
 * Makes the legal ones of the requested moves in one statement: locks the vehicles (in key order;
 * lockedMoves' rows are held already),
 * keeps only moves in VEHICLE_TRANSITIONS from the state read under the lock (a vehicle another
 * transaction moved meanwhile is judged, and logged, by the state that one left it in), updates them, logs one
 * event each with that state, and adds the changes to the per-wave counts. An offer also stamps
 * offered_at and counts the offer; a move back to pending (a retry) starts the next attempt. Illegal, duplicate and stale moves change nothing.
 */
function moveStatement(moves: VehicleMoves): RawBuilder<unknown> {
  return sql`
    legal AS (
      SELECT to_state, array_agg(from_state) AS from_states FROM (${moves.legal ?? LEGAL_VEHICLE_MOVES}) m GROUP BY to_state
    ),
    asked AS (${moves.rows}),
    old AS MATERIALIZED (${moves.locked ? legalOfLocked : lockLegal}),
    moved AS (
      UPDATE campaign_vehicles cv
      SET state = old.to_state, state_changed_at = old.at, error = coalesce(old.error, cv.error),
          offered_at = CASE WHEN old.to_state = 'offered' THEN old.at ELSE cv.offered_at END,
          offer_count = cv.offer_count + CASE WHEN old.to_state = 'offered' THEN 1 ELSE 0 END,
          -- Only a retry leaves a final state for pending: the vehicle's next offer is a new attempt.
          attempt = cv.attempt + CASE WHEN old.to_state = 'pending' THEN 1 ELSE 0 END
      FROM old WHERE cv.campaign_id = old.campaign_id AND cv.vin = old.vin
      RETURNING cv.campaign_id, cv.vin, cv.wave_no, cv.attempt, old.from_state, old.to_state, old.at
    ),
    -- One event row per (campaign, from, to, at) with its VINs, not one per vehicle (migrations/0404).
    logged AS (
      INSERT INTO campaign_vehicle_event_batches (campaign_id, from_state, to_state, at, vins)
      SELECT campaign_id, from_state, to_state, at, array_agg(vin ORDER BY vin)
      FROM moved GROUP BY campaign_id, from_state, to_state, at
    ),
    counted AS (
      INSERT INTO campaign_vehicle_counts (campaign_id, wave_no, state, n)
      SELECT campaign_id, wave_no, state, sum(n) FROM (
        SELECT campaign_id, wave_no, from_state AS state, -1 AS n FROM moved
        UNION ALL
        SELECT campaign_id, wave_no, to_state, 1 FROM moved
      ) d GROUP BY campaign_id, wave_no, state HAVING sum(n) <> 0
    )`;
}

/** Makes the legal moves (see moveStatement) and returns each move made. */
export async function moveVehicles(db: QueryExecutorProvider, moves: VehicleMoves): Promise<MovedVehicle[]> {
  const result = await sql<{
    campaign_id: number;
    vin: string;
    wave_no: number;
    from_state: VehicleCampaignState;
    to_state: VehicleCampaignState;
    attempt: number;
  }>`WITH ${moveStatement(moves)}
    SELECT campaign_id, vin, wave_no, from_state, to_state, attempt FROM moved ORDER BY campaign_id, vin`.execute(db);
  return result.rows.map((r) => ({
    campaignId: r.campaign_id,
    vin: r.vin,
    waveNo: r.wave_no,
    from: r.from_state,
    to: r.to_state,
    attempt: r.attempt,
  }));
}

/** Makes the legal moves (see moveStatement) and returns only how many, for moves of whole campaigns. */
export async function moveVehiclesCounted(db: QueryExecutorProvider, moves: VehicleMoves): Promise<number> {
  const result = await sql<{ n: number }>`WITH ${moveStatement(moves)}
    SELECT count(*)::int AS n FROM moved`.execute(db);
  return result.rows[0]?.n ?? 0;
}

/**
 * Adds target vehicles to a campaign, all `pending`: `targets` selects rows `(vin, wave_no)`.
 * Returns how many were added.
 */
export async function addTargetVehicles(
  db: QueryExecutorProvider,
  campaignId: number,
  targets: RawBuilder<unknown>,
): Promise<number> {
  const result = await sql<{ n: number }>`
    WITH inserted AS (
      INSERT INTO campaign_vehicles (campaign_id, vin, wave_no, state)
      SELECT ${campaignId}, t.vin, t.wave_no, 'pending' FROM (${targets}) t
      RETURNING wave_no
    ), counted AS (
      INSERT INTO campaign_vehicle_counts (campaign_id, wave_no, state, n)
      SELECT ${campaignId}, wave_no, 'pending', count(*) FROM inserted GROUP BY wave_no
    )
    SELECT count(*)::int AS n FROM inserted`.execute(db);
  const added = result.rows[0]?.n ?? 0;
  // Fresh statistics: planned with none for the new campaign, a whole-campaign move right after
  // (cancel, expiry, the first offers) joins its rows as if there were one and takes minutes.
  if (added >= ANALYZE_AFTER) await sql`ANALYZE campaign_vehicles`.execute(db);
  return added;
}

/** Targets added at once from which the table's statistics are refreshed. */
const ANALYZE_AFTER = 1000;

/** Removes every target vehicle of a campaign with its events and counts (campaign_ecus must be gone first). */
export async function removeTargetVehicles(db: QueryExecutorProvider, campaignId: number): Promise<void> {
  await sql`DELETE FROM campaign_vehicle_event_batches WHERE campaign_id = ${campaignId}`.execute(db);
  await sql`DELETE FROM campaign_vehicles WHERE campaign_id = ${campaignId}`.execute(db);
  await sql`DELETE FROM campaign_vehicle_counts WHERE campaign_id = ${campaignId}`.execute(db);
}

/**
 * Folds a campaign's deltas into one row per (wave, state), so reads stay a few rows however many
 * moves were made. Safe beside writers and other compactions: rows another compaction deleted
 * first are not seen again, and deltas appended meanwhile are kept as they are.
 */
export async function compactVehicleCounts(db: QueryExecutorProvider, campaignId: number): Promise<void> {
  await sql`
    WITH gone AS (
      DELETE FROM campaign_vehicle_counts WHERE campaign_id = ${campaignId} RETURNING wave_no, state, n
    )
    INSERT INTO campaign_vehicle_counts (campaign_id, wave_no, state, n)
    SELECT ${campaignId}, wave_no, state, sum(n) FROM gone GROUP BY wave_no, state HAVING sum(n) <> 0`.execute(db);
}

/**
 * The waiting vehicles (WAITING_VEHICLE_STATES: offered or not yet) of one campaign, or one vehicle's
 * in every campaign, as rows `(campaign_id, vin)`. One vehicle's are read through the primary key,
 * one probe per campaign (a LATERAL with LIMIT 1, which the planner cannot turn into a join over
 * the whole table): no index by VIN holds pending vehicles, and one would cost every submitted target
 * an entry. By `vin = ...` alone this was a scan of every campaign vehicle (1,000,000: 158 ms).
 */
export function waitingVehicles(of: { campaignId: number } | { vin: string }): RawBuilder<unknown> {
  const waiting = sql`state = ANY(${WAITING_VEHICLE_STATES}::text[])`;
  if (!('vin' in of))
    return sql`SELECT campaign_id, vin FROM campaign_vehicles WHERE campaign_id = ${of.campaignId} AND ${waiting}`;
  return sql`SELECT w.campaign_id, w.vin FROM campaigns c CROSS JOIN LATERAL (
      SELECT campaign_id, vin FROM campaign_vehicles
      WHERE campaign_id = c.id AND vin = ${of.vin} AND ${waiting} LIMIT 1
    ) w`;
}

/**
 * Moves the waiting vehicles (waitingVehicles) of one campaign, or one vehicle's in every campaign,
 * to `to` (cancelled, expired); downloads under way finish. Returns how many.
 */
export async function moveWaitingVehicles(
  db: QueryExecutorProvider,
  of: { campaignId: number } | { vin: string },
  to: VehicleCampaignState,
  at: Date,
  error: string | null = null,
): Promise<number> {
  return moveVehiclesCounted(db, selectedMoves(waitingVehicles(of), to, at, error));
}
