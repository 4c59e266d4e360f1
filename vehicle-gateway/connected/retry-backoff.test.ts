import { describe, expect, it } from 'vitest';
import { RetryBackoff } from './retry-backoff.ts';

describe('RetryBackoff', () => {
  it('doubles up to the ceiling and starts again after a reset', () => {
    const b = new RetryBackoff({ initialMs: 1000, maxMs: 5000 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([1000, 2000, 4000, 5000, 5000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it('refuses a schedule that makes no sense', () => {
    expect(() => new RetryBackoff({ initialMs: 0, maxMs: 10 })).toThrow(/0 < initialMs <= maxMs/);
    expect(() => new RetryBackoff({ initialMs: 100, maxMs: 10 })).toThrow(RangeError);
  });
});
