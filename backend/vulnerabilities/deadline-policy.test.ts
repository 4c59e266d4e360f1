import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_POLICY, deliveryClass, deliveryDeadline, validatePolicy } from './deadline-policy.ts';
import type { DeadlineFactors } from './deadline-policy.ts';

const f = (over: Partial<DeadlineFactors>): DeadlineFactors => ({
  severity: 'medium',
  exploitAvailable: false,
  workaroundExists: false,
  affectedVehicles: 10,
  ...over,
});

describe('delivery deadline policy', () => {
  it.each([
    [f({ severity: 'critical' }), 'urgent'],
    [f({ severity: 'high', exploitAvailable: true }), 'urgent'],
    [f({ severity: 'high' }), 'expedited'],
    [f({ severity: 'medium', exploitAvailable: true }), 'expedited'],
    [f({ severity: 'medium', affectedVehicles: 10_000 }), 'expedited'],
    [f({ severity: 'medium', affectedVehicles: 9_999 }), 'scheduled'],
    [f({ severity: 'low', exploitAvailable: true }), 'scheduled'],
    [f({ severity: 'critical', workaroundExists: true }), 'expedited'],
    [f({ severity: 'critical', workaroundExists: true, exploitAvailable: true }), 'urgent'],
    [f({ severity: 'high', workaroundExists: true }), 'scheduled'],
    [f({ severity: 'low', workaroundExists: true }), 'scheduled'],
  ] as const)('%o -> %s', (factors, expected) => {
    expect(deliveryClass(factors)).toBe(expected);
  });

  it('counts the days of the class from confirmation, with configurable days', () => {
    const confirmed = new Date('2026-01-01T00:00:00Z');
    expect(deliveryDeadline(confirmed, f({ severity: 'critical' })).deadline.toISOString()).toBe(
      '2026-01-31T00:00:00.000Z',
    );
    const policy = { ...DEFAULT_DEADLINE_POLICY, days: { urgent: 7, expedited: 14, scheduled: 28 } };
    expect(deliveryDeadline(confirmed, f({ severity: 'low' }), policy)).toEqual({
      deliveryClass: 'scheduled',
      deadline: new Date('2026-01-29T00:00:00Z'),
    });
  });

  it('refuses an inconsistent policy', () => {
    expect(() =>
      validatePolicy({ ...DEFAULT_DEADLINE_POLICY, days: { urgent: 90, expedited: 60, scheduled: 30 } }),
    ).toThrow(/urgent <= expedited/);
    expect(() =>
      validatePolicy({ ...DEFAULT_DEADLINE_POLICY, days: { urgent: 0, expedited: 60, scheduled: 90 } }),
    ).toThrow(/days.urgent/);
  });
});
