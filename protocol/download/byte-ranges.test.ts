import { describe, expect, it } from 'vitest';
import { missing, normalize, receivedBytes, split } from './byte-ranges.ts';

describe('byte ranges', () => {
  it('merges overlapping and adjacent ranges', () => {
    expect(
      normalize([
        { offset: 10, length: 5 },
        { offset: 0, length: 10 },
        { offset: 12, length: 10 },
        { offset: 30, length: 1 },
      ]),
    ).toEqual([
      { offset: 0, length: 22 },
      { offset: 30, length: 1 },
    ]);
  });

  it('lists what is missing and splits it into chunks', () => {
    const gaps = missing([{ offset: 4, length: 4 }], 20);
    expect(gaps).toEqual([
      { offset: 0, length: 4 },
      { offset: 8, length: 12 },
    ]);
    expect(split(gaps, 5)).toEqual([
      { offset: 0, length: 4 },
      { offset: 8, length: 5 },
      { offset: 13, length: 5 },
      { offset: 18, length: 2 },
    ]);
    expect(
      receivedBytes([
        { offset: 0, length: 4 },
        { offset: 2, length: 4 },
      ]),
    ).toBe(6);
    expect(missing([{ offset: 0, length: 20 }], 20)).toEqual([]);
  });
});
