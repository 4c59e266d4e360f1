import { VULNERABILITY_PHASES } from './types.ts';
import type { VulnerabilityPhase } from './types.ts';

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

/** Phases with a way out (all but the final ones): the issue is still handled, its deadline runs. */
export const OPEN_PHASES: readonly VulnerabilityPhase[] = VULNERABILITY_PHASES.filter(
  (phase) => PHASE_TRANSITIONS[phase].length > 0,
);
