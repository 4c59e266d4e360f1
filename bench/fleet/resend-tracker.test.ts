import { describe, expect, it } from 'vitest';
import { ResendTracker } from './resend-tracker.ts';

describe('ResendTracker', () => {
  it('answers an offer with a new result unless one awaits confirmation, and counts offers, sends and confirmations', () => {
    const t = new ResendTracker(10, 1000);
    expect(t.offered(3)).toBe(true);
    expect(t.answer(3)).toBe(1);
    t.resultSent(3, 100);
    expect(t.offered(3)).toBe(false);
    t.resultSent(3, 200);
    expect([t.offers, t.sent, t.confirmed]).toEqual([1, 1, 0]);
    expect(t.stored(3)).toBe(true);
    expect(t.stored(3)).toBe(false);
    expect(t.confirmed).toBe(1);
    // Offered again after its result was confirmed: a new result, unconfirmed until stored.
    expect(t.offered(3)).toBe(true);
    expect([t.answer(3), t.offers, t.confirmed]).toEqual([2, 1, 0]);
    t.resultSent(3, 300);
    expect(t.due(1300)).toEqual([3]);
  });

  it('makes an unconfirmed result due a timeout after it was sent, then 2, 4 and 6 timeouts after each resend', () => {
    const t = new ResendTracker(20, 1000);
    t.resultSent(0, 100);
    t.resultSent(9, 500);
    t.resultSent(17, 100);
    t.stored(17);
    expect(t.due(1099)).toEqual([]);
    expect(t.due(1100)).toEqual([0]);
    expect(t.due(1500)).toEqual([9]);
    t.stored(9);
    expect(t.due(3099)).toEqual([]);
    expect(t.due(3100)).toEqual([0]);
    expect(t.due(7100)).toEqual([0]);
    expect(t.due(13_099)).toEqual([]);
    expect(t.due(13_100)).toEqual([0]);
    expect(t.due(19_100)).toEqual([0]);
    t.stored(0);
    expect(t.due(100_000)).toEqual([]);
    expect(t.resends).toBe(6);
  });

  it('refuses a vehicle outside the fleet', () => {
    const t = new ResendTracker(8, 1000);
    expect(() => t.offered(8)).toThrow(/vehicle 8 outside 0..7/);
    expect(() => t.stored(-1)).toThrow(RangeError);
  });

  it('waits the acknowledged timeout once the broker acknowledged the result, spread by the jitter', () => {
    const t = new ResendTracker(4, 1000, { ackedMs: 60_000, jitter: 0.2, random: () => 0.75 });
    t.resultSent(1, 100); // due at 100 + 1000 * 1.1
    expect(t.due(1200)).toEqual([1]);
    t.resultAcked(1, 1250); // resend 1 (2 timeouts): 1250 + 120,000 * 1.1
    expect(t.due(133_249)).toEqual([]);
    expect(t.due(133_250)).toEqual([1]);
    t.stored(1);
    t.resultAcked(1, 200_000); // confirmed meanwhile: nothing due again
    expect(t.due(10_000_000)).toEqual([]);
  });
});
