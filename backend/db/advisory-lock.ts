import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';

// PostgreSQL advisory locks, held until the transaction that took them ends (commit or rollback),
// so none is left behind by a crash. Every lock is the pair (namespace, id) of
// pg_advisory_xact_lock(int, int): the namespace is hashtext() of a name in LOCK_NAMESPACES, one per
// concept, so two concepts' locks on the same id never collide (advisory-lock.test.ts checks the
// names hash apart). Keys are made only by `lockKeys`, the registry of what is locked and by whom.

/** Every advisory-lock namespace in the backend. Names are the lock's identity across instances and versions: never rename one. */
export const LOCK_NAMESPACES = [
  'campaign_dispatch_pace',
  'campaign_wave_evaluation',
  'vulnerability_matching',
] as const;
export type LockNamespace = (typeof LOCK_NAMESPACES)[number];

declare const lockKeyBrand: unique symbol;
/** One advisory lock: made by `lockKeys` only. */
export interface AdvisoryLockKey {
  readonly namespace: LockNamespace;
  /** A PostgreSQL int: the object locked within the namespace (0 for the namespace as a whole). */
  readonly id: number;
  readonly [lockKeyBrand]: true;
}

function lockKey(namespace: LockNamespace, id: number): AdvisoryLockKey {
  if (!Number.isInteger(id) || id < -0x8000_0000 || id > 0x7fff_ffff) {
    throw new RangeError(`advisory lock ${namespace}: id must be a 32-bit integer, got ${id}`);
  }
  return { namespace, id } as AdvisoryLockKey;
}

/** The registry: each lock the backend takes, and what it serialises. */
export const lockKeys = {
  /** A campaign's dispatch pace ledger: instances reserve offers one at a time (dispatch-pace.ts). */
  campaignDispatchPace: (campaignId: number) => lockKey('campaign_dispatch_pace', campaignId),
  /** A campaign's rollout evaluation: at most one runs at a time across instances (waves.ts). */
  campaignWaveEvaluation: (campaignId: number) => lockKey('campaign_wave_evaluation', campaignId),
  /** Vulnerability matching as a whole: two runs cannot both create the vulnerability of one CVE. */
  vulnerabilityMatching: () => lockKey('vulnerability_matching', 0),
} as const;

/** Waits for the lock, then holds it until `trx` ends. */
export async function lockForTransaction(trx: Transaction<Database>, key: AdvisoryLockKey): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${key.namespace}), ${key.id}::int)`.execute(trx);
}

/** Takes the lock if it is free (then held until `trx` ends) and says whether it did; never waits. */
export async function tryLockForTransaction(trx: Transaction<Database>, key: AdvisoryLockKey): Promise<boolean> {
  const r = await sql<{ got: boolean }>`
    SELECT pg_try_advisory_xact_lock(hashtext(${key.namespace}), ${key.id}::int) AS got`.execute(trx);
  return r.rows[0]?.got === true;
}
