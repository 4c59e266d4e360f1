import type { TableColumns } from '../db/column-manifest.ts';
import type { CreatedAt } from '../db/column-types.ts';

// Row types of the Uptane repositories' tables (migrations/0100).
export interface TufMetadataTable {
  repository: 'image' | 'director';
  /** '' for the Image repository and the Director root; the VIN for per-vehicle Director metadata. */
  scope: string;
  role: 'root' | 'targets' | 'snapshot' | 'timestamp';
  version: number;
  bytes: Uint8Array;
  created_at: CreatedAt;
}
export interface ImageCodeSignaturesTable {
  sha256: string;
  signature: string;
  key_id: string;
  signed_at: CreatedAt;
}

export interface TufRepoTables {
  tuf_metadata: TufMetadataTable;
  image_code_signatures: ImageCodeSignaturesTable;
}

export const TUF_REPO_COLUMNS = {
  tuf_metadata: {
    repository: 'text',
    scope: 'text',
    role: 'text',
    version: 'int4',
    bytes: 'bytea',
    created_at: 'timestamptz',
  },
  image_code_signatures: { sha256: 'text', signature: 'text', key_id: 'text', signed_at: 'timestamptz' },
} as const satisfies TableColumns<TufRepoTables>;
