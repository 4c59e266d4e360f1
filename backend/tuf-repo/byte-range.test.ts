import { describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.ts';

describe('parseByteRange', () => {
  it('reads the three forms of a single range', () => {
    expect(parseByteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseByteRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseByteRange('bytes=-10', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseByteRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
  });
  it('says when there is no range, or none that fits', () => {
    expect(parseByteRange(undefined, 10)).toBeUndefined();
    expect(parseByteRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=5-4', 10)).toBe('unsatisfiable');
  });
  it('refuses what it does not serve', () => {
    expect(() => parseByteRange('bytes=0-1,5-6', 10)).toThrow(/unsupported Range/);
    expect(() => parseByteRange('items=0-1', 10)).toThrow(/unsupported Range/);
  });
});
