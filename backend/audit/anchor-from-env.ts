import type { BackendConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { auditPublicKeyFile, loadOrCreateAuditKey } from '../keys/audit-key.ts';
import { auditAnchorConfig } from './anchor-config.ts';
import type { AuditAnchorConfig } from './anchor-config.ts';
import { startCheckpointer } from './checkpointer.ts';
import type { Checkpointer } from './checkpointer.ts';

export interface AuditAnchoring {
  readonly config: AuditAnchorConfig;
  readonly checkpointer: Checkpointer;
}

/** Starts anchoring the way the backend's main does: settings from its parsed environment (anchor-config.ts). */
export async function startAuditAnchoringFromEnv(
  db: Db,
  backendConfig: BackendConfig,
  log: (line: string) => void = (line) => console.log(line),
): Promise<AuditAnchoring> {
  const config = auditAnchorConfig(backendConfig);
  const { signer, created } = await loadOrCreateAuditKey(config.keyFile);
  if (created) log(`audit anchoring: generated the checkpoint key ${config.keyFile}`);
  const checkpointer = await startCheckpointer({
    db,
    signer,
    file: config.checkpointFile,
    everyEntries: config.everyEntries,
    intervalMs: config.intervalMs,
  });
  log(
    `audit anchoring: signed checkpoints every ${config.everyEntries} entries or ${config.intervalMs / 1000} s ` +
      `to ${config.checkpointFile} (public key ${auditPublicKeyFile(config.keyFile)})`,
  );
  return { config, checkpointer };
}
