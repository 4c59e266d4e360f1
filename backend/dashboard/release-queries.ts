import type { Db } from '../db/database.ts';
import type { CampaignState } from '../campaigns/types.ts';
import type { VulnerabilityPhase } from '../vulnerabilities/types.ts';

// Read-only views the release pages need beside the release service's own loadRelease.

export interface CampaignUse {
  id: number;
  name: string;
  state: CampaignState;
}

/** The campaigns that install a release, newest first. */
export async function campaignsUsingRelease(db: Db, releaseId: number): Promise<CampaignUse[]> {
  return db
    .selectFrom('campaign_releases as cr')
    .innerJoin('campaigns as c', 'c.id', 'cr.campaign_id')
    .select(['c.id', 'c.name', 'c.state'])
    .where('cr.release_id', '=', releaseId)
    .orderBy('c.id', 'desc')
    .execute();
}

export interface VulnerabilityChoice {
  id: number;
  title: string;
  phase: VulnerabilityPhase;
}

/** Vulnerabilities a new release may declare as fixed: every one not rejected, newest first. */
export async function fixableVulnerabilities(db: Db, limit = 300): Promise<VulnerabilityChoice[]> {
  return db
    .selectFrom('vulnerabilities')
    .select(['id', 'title', 'phase'])
    .where('phase', '<>', 'rejected')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The title and phase of the vulnerabilities a release fixes. */
export async function vulnerabilitiesByIds(db: Db, ids: number[]): Promise<VulnerabilityChoice[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('vulnerabilities')
    .select(['id', 'title', 'phase'])
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
}
