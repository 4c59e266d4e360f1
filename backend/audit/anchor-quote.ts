import type { Db } from '../db/database.ts';
import { readAuditHead } from './chain.ts';
import type { ChainPoint } from './chain.ts';
import type { SignedCheckpoint } from './checkpoint.ts';
import { readLatestCheckpoint } from './checkpoint-file.ts';

/** What an export quotes so that its reader can later run `verify-audit --expect-head SEQ:HASH`. */
export interface AuditAnchorQuote {
  /** The head of the log when the export was made. */
  readonly head: ChainPoint;
  /** The latest checkpoint in the file (its signature is verify-audit's to check); null without one. */
  readonly checkpoint: SignedCheckpoint | null;
}

export async function quoteAuditAnchor(db: Db, checkpointFile: string | null): Promise<AuditAnchorQuote> {
  return {
    head: await readAuditHead(db),
    checkpoint: checkpointFile === null ? null : await readLatestCheckpoint(checkpointFile),
  };
}
