import type { Severity } from './types.ts';

// The IEC 62443-4-1 delivery factors (impact, exploit availability, workaround, fleet exposure) as a
// small decision tree giving a delivery class, each class with a configurable number of days.

export const DELIVERY_CLASSES = ['urgent', 'expedited', 'scheduled'] as const;
export type DeliveryClass = (typeof DELIVERY_CLASSES)[number];

export interface DeadlinePolicy {
  days: Record<DeliveryClass, number>;
  /** From this many affected vehicles on, a medium-impact issue is treated like a high one. */
  largeFleetThreshold: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  days: { urgent: 30, expedited: 60, scheduled: 90 },
  largeFleetThreshold: 10_000,
};

export interface DeadlineFactors {
  severity: Severity;
  exploitAvailable: boolean;
  workaroundExists: boolean;
  affectedVehicles: number;
}

/**
 * 1. Impact: critical, or high with a public exploit, is urgent; high (or medium on a large fleet,
 *    or medium with an exploit) is expedited; anything else is scheduled.
 * 2. A workaround buys one class of time, except for an exploited critical issue.
 */
export function deliveryClass(f: DeadlineFactors, policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY): DeliveryClass {
  const largeFleet = f.affectedVehicles >= policy.largeFleetThreshold;
  let index: number;
  if (f.severity === 'critical' || (f.severity === 'high' && f.exploitAvailable)) index = 0;
  else if (f.severity === 'high' || (f.severity === 'medium' && (largeFleet || f.exploitAvailable))) index = 1;
  else index = 2;
  const exploitedCritical = f.severity === 'critical' && f.exploitAvailable;
  if (f.workaroundExists && !exploitedCritical) index = Math.min(index + 1, 2);
  return DELIVERY_CLASSES[index] ?? 'scheduled';
}

export function deliveryDeadline(
  confirmedAt: Date,
  f: DeadlineFactors,
  policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY,
): { deliveryClass: DeliveryClass; deadline: Date } {
  const cls = deliveryClass(f, policy);
  return { deliveryClass: cls, deadline: new Date(confirmedAt.getTime() + policy.days[cls] * 86_400_000) };
}

/** Checks a configured policy: whole positive days, urgent <= expedited <= scheduled. */
export function validatePolicy(policy: DeadlinePolicy): DeadlinePolicy {
  const { urgent, expedited, scheduled } = policy.days;
  for (const [name, days] of Object.entries(policy.days)) {
    if (!Number.isInteger(days) || days <= 0)
      throw new Error(`deadline policy: days.${name} must be a positive integer`);
  }
  if (!(urgent <= expedited && expedited <= scheduled)) {
    throw new Error('deadline policy: days must satisfy urgent <= expedited <= scheduled');
  }
  if (!Number.isInteger(policy.largeFleetThreshold) || policy.largeFleetThreshold < 1) {
    throw new Error('deadline policy: largeFleetThreshold must be a positive integer');
  }
  return policy;
}
