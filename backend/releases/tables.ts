import type { Generated } from 'kysely';
import type { TableColumns } from '../db/column-manifest.ts';
import type { BigInt, CreatedAt, GeneratedTimestamp } from '../db/column-types.ts';
import type { ReleaseState } from './types.ts';

// Row types of the release tables (migrations/0004).
export interface ReleasesTable {
  id: Generated<number>;
  hardware_id: string;
  version: string;
  supplier: string;
  notes: Generated<string>;
  state: Generated<ReleaseState>;
  safety_impact_analysis: string | null;
  created_by: number;
  created_at: CreatedAt;
  updated_at: GeneratedTimestamp;
}
export interface ReleaseImagesTable {
  release_id: number;
  sha256: string;
  length: BigInt;
  file_name: string;
  hardware_ids: string[];
  version: string;
  uploaded_at: CreatedAt;
}
export interface ReleaseEvidenceTable {
  id: Generated<number>;
  release_id: number;
  stage: 'approved' | 'authorized';
  report_ref: string;
  log_sha256: string;
  recorded_by: number;
  recorded_at: CreatedAt;
}
export interface ReleaseFixesTable {
  release_id: number;
  vulnerability_id: number;
}

export interface ReleaseTables {
  releases: ReleasesTable;
  release_images: ReleaseImagesTable;
  release_evidence: ReleaseEvidenceTable;
  release_fixes: ReleaseFixesTable;
}

export const RELEASE_COLUMNS = {
  releases: {
    id: 'int4',
    hardware_id: 'text',
    version: 'text',
    supplier: 'text',
    notes: 'text',
    state: 'text',
    safety_impact_analysis: 'text null',
    created_by: 'int4',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
  release_images: {
    release_id: 'int4',
    sha256: 'text',
    length: 'int8',
    file_name: 'text',
    hardware_ids: 'text[]',
    version: 'text',
    uploaded_at: 'timestamptz',
  },
  release_evidence: {
    id: 'int4',
    release_id: 'int4',
    stage: 'text',
    report_ref: 'text',
    log_sha256: 'text',
    recorded_by: 'int4',
    recorded_at: 'timestamptz',
  },
  release_fixes: { release_id: 'int4', vulnerability_id: 'int4' },
} as const satisfies TableColumns<ReleaseTables>;
