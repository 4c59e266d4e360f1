// "Check the move is legal, write it, append its audit entry": the one home of that sequence, so a
// service states only its own rule, its own write and what its audit entry records.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { illegalTransition } from '../http/problem.ts';
import { appendAudit } from './service.ts';
import type { AuditInput } from './service.ts';

/** A state move of one entity, e.g. release 7 from in_test to authorized. */
export interface StateMove<S extends string> {
  /** The entity as problem details name it ("release 7"). */
  what: string;
  from: S;
  to: S;
  /** Whether the entity's state machine allows the move. */
  legal: boolean;
  /** Why it is not, when there is more to say than the two states. */
  why?: string | undefined;
}

/** Throws the 409 illegal-transition problem for a move the state machine does not allow. */
export function checkMove<S extends string>(move: StateMove<S>): void {
  if (!move.legal) throw illegalTransition(move.what, move.from, move.to, move.why);
}

/** One audited change: the entry's fixed parts, the write, and what the entry records of its result. */
export interface AuditedChange<T> extends Omit<AuditInput, 'after' | 'details'> {
  /** Writes the change inside the caller's transaction and returns its result (the entity after it, say). */
  apply: () => Promise<T>;
  after?: ((result: T) => unknown) | undefined;
  details?: ((result: T) => unknown) | undefined;
}

/** Applies a change and appends its audit entry in the same transaction: both commit or neither does. */
export async function applyAudited<T>(trx: Transaction<Database>, change: AuditedChange<T>): Promise<T> {
  const { apply, after, details, ...entry } = change;
  const result = await apply();
  await appendAudit(trx, { ...entry, after: after?.(result), details: details?.(result) });
  return result;
}

/** The transition helper: refuses an illegal move, else applies it and appends its audit entry. */
export async function transitionAudited<S extends string, T>(
  trx: Transaction<Database>,
  move: StateMove<S>,
  change: AuditedChange<T>,
): Promise<T> {
  checkMove(move);
  return applyAudited(trx, change);
}
