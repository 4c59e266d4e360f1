// What a phase change writes besides the phase, and the prerequisites that may refuse it: pure
// rules on the vulnerability as it is, the change asked for and the clock.
import type { Selectable, Updateable } from 'kysely';
import type { VulnerabilitiesTable } from './tables.ts';
import type { RejectionReason, VulnerabilityPhase } from './types.ts';
import { illegalTransition, invalid } from '../http/problem.ts';

export interface PhaseChange {
  to: VulnerabilityPhase;
  reason: string;
  rejectionReason?: RejectionReason | undefined;
  advisory?: string | undefined;
}

/**
 * The columns a legal phase change sets: a reason for rejection, the confirmation time when
 * assessing starts (the delivery-deadline clock), an assessment before addressing, a remediation
 * and advisory before disclosure and no disclosure before the embargo date.
 */
export function phaseChangeSet(
  row: Selectable<VulnerabilitiesTable>,
  change: PhaseChange,
  now: Date,
): Updateable<VulnerabilitiesTable> {
  const what = `vulnerability ${row.id}`;
  const refuse = (why: string) => illegalTransition(what, row.phase, change.to, why);
  const set: Updateable<VulnerabilitiesTable> = { phase: change.to, updated_at: now };
  switch (change.to) {
    case 'rejected':
      if (!change.rejectionReason) throw invalid('json.rejectionReason', 'required when rejecting');
      set.rejection_reason = change.rejectionReason;
      break;
    case 'assessing':
      // Confirmation: the delivery-deadline clock starts now.
      set.confirmed_at = row.confirmed_at ?? now;
      break;
    case 'addressing':
      if (!row.cvss_vector) throw refuse('record the assessment first');
      break;
    case 'disclosed':
      if (!row.remediation_kind) throw refuse('record the remediation first');
      if (!change.advisory) throw invalid('json.advisory', 'required when disclosing');
      if (row.embargo_until && row.embargo_until.getTime() > now.getTime()) {
        throw refuse(`embargoed until ${row.embargo_until.toISOString()}`);
      }
      set.advisory = change.advisory;
      set.disclosed_at = now;
      break;
    default:
      break;
  }
  return set;
}
