// The rules that turn a stored security event into actions an operator may confirm: open a vulnerability
// (the event points at a weakness someone exploits or tries to) and isolate the vehicle (someone is on its
// bus or its software no longer verifies). Nothing runs without the operator's confirmation.
import type { SecurityEventType, SecuritySeverity } from '@ota/protocol';
import { canMoveLifecycle } from '../fleet/lifecycle.ts';
import type { VehicleLifecycle } from '../fleet/types.ts';

export const PROPOSED_ACTIONS = ['open_vulnerability', 'isolate_vehicle'] as const;
export type ProposedActionKind = (typeof PROPOSED_ACTIONS)[number];

export interface ProposedAction {
  action: ProposedActionKind;
  /** Why the rule proposes it, shown to the operator. */
  reason: string;
}

export interface RuleInput {
  type: SecurityEventType;
  severity: SecuritySeverity;
  vulnerabilityId: number | null;
  vehicleLifecycle: VehicleLifecycle;
}

const VULNERABILITY_TYPES: ReadonlySet<SecurityEventType> = new Set([
  'metadata_verification_failure',
  'image_signature_refused',
  'ecu_signature_refused',
  'secure_boot_failure',
]);
const ISOLATION_TYPES: ReadonlySet<SecurityEventType> = new Set([
  'can_unsent_diagnostic_request',
  'security_access_lockout',
  'authentication_failure',
  'secure_boot_failure',
  'events_dropped',
]);

export function proposedActions(e: RuleInput): ProposedAction[] {
  const out: ProposedAction[] = [];
  if (e.vulnerabilityId === null && (VULNERABILITY_TYPES.has(e.type) || e.severity === 'critical')) {
    out.push({
      action: 'open_vulnerability',
      reason: 'a refused update or image means someone tried to install software the OEM did not release',
    });
  }
  if (canMoveLifecycle(e.vehicleLifecycle, 'isolated') && (ISOLATION_TYPES.has(e.type) || e.severity === 'critical')) {
    out.push({
      action: 'isolate_vehicle',
      reason: 'an unknown tester, a lockout or a flood on the vehicle: stop updating it until it is inspected',
    });
  }
  return out;
}
