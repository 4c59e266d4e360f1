import { join } from 'node:path';
import type { BackendConfig } from '../config.ts';
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

/** The variables (validated by backend/config.ts) that say where the anchoring files are. */
export type AuditAnchorFileSettings = Pick<
  BackendConfig,
  'DATA_DIR' | 'KEYS_DIR' | 'AUDIT_KEY_FILE' | 'AUDIT_CHECKPOINT_FILE'
>;

/** The key (AUDIT_KEY_FILE, else KEYS_DIR/audit/checkpoint.pem) and checkpoints (else DATA_DIR/audit/). */
export function auditAnchorFiles(
  config: AuditAnchorFileSettings,
): Pick<AuditAnchorConfig, 'keyFile' | 'checkpointFile'> {
  return {
    keyFile: auditKeyFile(config),
    checkpointFile: config.AUDIT_CHECKPOINT_FILE ?? join(config.DATA_DIR, 'audit', 'checkpoints.jsonl'),
  };
}

/** The files, and a checkpoint every AUDIT_CHECKPOINT_EVERY entries or AUDIT_CHECKPOINT_INTERVAL_S seconds. */
export function auditAnchorConfig(
  config: AuditAnchorFileSettings & Pick<BackendConfig, 'AUDIT_CHECKPOINT_EVERY' | 'AUDIT_CHECKPOINT_INTERVAL_S'>,
): AuditAnchorConfig {
  return {
    ...auditAnchorFiles(config),
    everyEntries: config.AUDIT_CHECKPOINT_EVERY,
    intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_S * 1000,
  };
}
