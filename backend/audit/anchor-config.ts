import { join } from 'node:path';
import { auditKeyFile } from '../keys/audit-key.ts';

/** Where and how often the backend anchors its audit chain (see checkpointer.ts). */
export interface AuditAnchorConfig {
  /** The Ed25519 signing key (created when absent); its public key sits beside it as .pub. */
  readonly keyFile: string;
  /** The append-only file of signed checkpoints. */
  readonly checkpointFile: string;
  /** Checkpoint once this many entries are unanchored... */
  readonly everyEntries: number;
  /** ...or once the oldest unanchored entry is this old (and at shutdown). */
  readonly intervalMs: number;
}

export const DEFAULT_CHECKPOINT_EVERY = 100;
export const DEFAULT_CHECKPOINT_INTERVAL_S = 60;

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RangeError(`${name} must be a whole number of at least 1, got "${raw}"`);
  return n;
}

/**
 * AUDIT_KEY_FILE (default KEYS_DIR/audit/checkpoint.pem), AUDIT_CHECKPOINT_FILE (default
 * DATA_DIR/audit/checkpoints.jsonl), AUDIT_CHECKPOINT_EVERY (entries, default 100) and
 * AUDIT_CHECKPOINT_INTERVAL_S (seconds, default 60).
 */
export function auditAnchorConfig(env: NodeJS.ProcessEnv = process.env): AuditAnchorConfig {
  return {
    keyFile: auditKeyFile(env),
    checkpointFile: env.AUDIT_CHECKPOINT_FILE || join(env.DATA_DIR ?? '.data/backend', 'audit', 'checkpoints.jsonl'),
    everyEntries: positiveInteger(env, 'AUDIT_CHECKPOINT_EVERY', DEFAULT_CHECKPOINT_EVERY),
    intervalMs: positiveInteger(env, 'AUDIT_CHECKPOINT_INTERVAL_S', DEFAULT_CHECKPOINT_INTERVAL_S) * 1000,
  };
}
