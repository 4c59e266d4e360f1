import { sql } from 'kysely';
import { RETRYABLE_VEHICLE_STATES, VEHICLE_TRANSITION_PAIRS } from './states.ts';

/**
 * VEHICLE_TRANSITIONS as an SQL row source `(from_state, to_state)`, for set-based updates that
 * must move a vehicle only along a legal edge: `WITH legal AS (${LEGAL_VEHICLE_MOVES}) ... JOIN legal`.
 */
export const LEGAL_VEHICLE_MOVES = sql`SELECT * FROM unnest(
  ${VEHICLE_TRANSITION_PAIRS.map(([from]) => from)}::text[],
  ${VEHICLE_TRANSITION_PAIRS.map(([, to]) => to)}::text[]
) AS legal(from_state, to_state)`;

/** The manual retry's moves as the same row source: each retryable state back to pending, nothing else. */
export const LEGAL_RETRY_MOVES = sql`SELECT unnest(${[...RETRYABLE_VEHICLE_STATES]}::text[]) AS from_state, 'pending'::text AS to_state`;
