import type { VulnerabilityPhase } from '../db/schema.ts';

/** ISO/IEC 30111 handling phases; `rejected` and `closed` are final. */
export const PHASE_TRANSITIONS: Record<VulnerabilityPhase, readonly VulnerabilityPhase[]> = {
  received: ['reviewing', 'rejected'],
  reviewing: ['assessing', 'needs_info', 'rejected'],
  needs_info: ['reviewing', 'rejected'],
  assessing: ['addressing', 'rejected'],
  addressing: ['disclosed'],
  disclosed: ['closed'],
  closed: [],
  rejected: [],
};

/** Phases in which the issue counts as addressed for release authorisation (IEC 62443-4-1 SM-11). */
export const ADDRESSED_PHASES: readonly VulnerabilityPhase[] = ['addressing', 'disclosed', 'closed'];

/** Phases in which the assessment and remediation may still be edited. */
export const EDITABLE_ASSESSMENT_PHASES: readonly VulnerabilityPhase[] = ['assessing', 'addressing'];
