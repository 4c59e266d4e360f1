import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suffixArray } from './suffix-array.ts';

function naive(text: Uint8Array): number[] {
  const idx = Array.from({ length: text.length }, (_, i) => i);
  return idx.sort((a, b) => Buffer.compare(text.subarray(a), text.subarray(b)));
}

describe('suffixArray', () => {
  it('sorts the suffixes of a known string', () => {
    expect(Array.from(suffixArray(new TextEncoder().encode('banana')))).toEqual([5, 3, 1, 0, 4, 2]);
  });

  it('handles empty, single and repetitive inputs', () => {
    expect(Array.from(suffixArray(new Uint8Array(0)))).toEqual([]);
    expect(Array.from(suffixArray(new Uint8Array([7])))).toEqual([0]);
    const zeros = new Uint8Array(1000);
    expect(Array.from(suffixArray(zeros))).toEqual(naive(zeros));
  });

  it('matches a naive sort on random small-alphabet and byte inputs', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300, min: 0, max: 2 }), fc.uint8Array({ maxLength: 300 })),
        (text) => {
          expect(Array.from(suffixArray(text))).toEqual(naive(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});
