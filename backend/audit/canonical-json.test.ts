import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":null,"z":1}]},"b":1}',
    );
  });
  it('gives equal text for equal content in a different key order', () => {
    expect(canonicalJson({ x: 1, y: 'a"b' })).toBe(canonicalJson({ y: 'a"b', x: 1 }));
  });
});
