import { describe, expect, it } from 'vitest';
import { doubledDelay, jittered } from './backoff.ts';

describe('backoff', () => {
  it('doubles the first wait per earlier attempt up to the ceiling', () => {
    expect([0, 1, 2, 3, 4].map((k) => doubledDelay(1000, k, 6000))).toEqual([1000, 2000, 4000, 6000, 6000]);
    expect(doubledDelay(500, 1000, Number.MAX_SAFE_INTEGER)).toBe(500 * 2 ** 16);
  });

  it('moves a wait by up to the jitter either way', () => {
    expect([0, 0.5, 0.75].map((r) => jittered(60_000, 0.2, () => r))).toEqual([48_000, 60_000, 66_000]);
    expect(jittered(60_000, 0, () => 0)).toBe(60_000);
  });
});
