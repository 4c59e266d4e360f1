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

/** Who changes which entity how, and why: the audit entry's fixed parts. */
export type AuditHead = Omit<AuditInput, 'before' | 'after' | 'details'>;

/** The write of one audited change and what its audit entry records around it. */
export interface AuditedWrite<T> {
  before?: unknown;
  /** Writes the change inside the caller's transaction and returns its result (the entity after it, say). */
  apply: () => Promise<T>;
  after?: ((result: T) => unknown) | undefined;
  details?: ((result: T) => unknown) | undefined;
}

/** Applies a change and appends its audit entry in the same transaction: both commit or neither does. */
export async function applyAudited<T>(trx: Transaction<Database>, head: AuditHead, write: AuditedWrite<T>): Promise<T> {
  const result = await write.apply();
  await appendAudit(trx, {
    ...head,
    before: write.before,
    after: write.after?.(result),
    details: write.details?.(result),
  });
  return result;
}

/** The transition helper: refuses an illegal move, else applies it and appends its audit entry. */
export async function transitionAudited<S extends string, T>(
  trx: Transaction<Database>,
  move: StateMove<S>,
  head: AuditHead,
  write: AuditedWrite<T>,
): Promise<T> {
  checkMove(move);
  return applyAudited(trx, head, write);
}
