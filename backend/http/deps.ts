import type { BlobStore } from '../blobs/store.ts';
import type { Db } from '../db/database.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { DeadlinePolicy } from '../vulnerabilities/deadline-policy.ts';

/** What route modules need, resolved once by createApp. */
export interface RouteDeps {
  db: Db;
  blobs: BlobStore;
  maxImageBytes: number;
  policy: DeadlinePolicy;
  now: () => Date;
  /** Signing keys, when this process holds them: authorising a release then publishes it at once. */
  keys: KeySet | undefined;
  /** Where the signed audit checkpoints are, when the backend anchors its audit log. */
  auditCheckpointFile: string | null;
}
