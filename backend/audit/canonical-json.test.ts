import { describe, expect, it } from 'vitest';
import { canonicalize } from '@ota/protocol/tuf';
import { canonicalJson } from './canonical-json.ts';
import { entryHash } from './service.ts';

const entry = {
  seq: 1,
  at: '2024-01-01T00:00:00.000Z',
  actor: 'system',
  action: 'vulnerability.assess',
  entityType: 'vulnerability',
  entityId: '7',
  before: null,
  after: { cvss: { score: 9.8 }, description: 'line1\nline2' },
  details: null,
  reason: null,
  prevHash: '0'.repeat(64),
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":null,"z":1}]},"b":1}',
    );
  });
  it('gives equal text for equal content in a different key order', () => {
    expect(canonicalJson({ x: 1, y: 'a"b' })).toBe(canonicalJson({ y: 'a"b', x: 1 }));
  });
  it('writes floats and escapes control characters as JSON does, sorting keys by UTF-16 unit', () => {
    expect(canonicalJson({ s: 'a\nb\u0001', n: 9.8, k: { '\u{1F600}': 1, '\uFF61': 2 } })).toBe(
      '{"k":{"\u{1F600}":1,"\uFF61":2},"n":9.8,"s":"a\\nb\\u0001"}',
    );
  });
  it("differs from TUF's canonical JSON on audit entries (why the audit log keeps its own)", () => {
    expect(() => canonicalize(entry)).toThrow(/9\.8 is not a safe integer/);
    const { after, ...rest } = entry;
    const withText = { ...rest, after: { description: after.description } };
    expect(canonicalize(withText)).not.toBe(canonicalJson(withText));
  });
  it('keeps the hash of a stored entry stable (a change here breaks existing chains)', () => {
    expect(entryHash(entry)).toBe('df1f56c7be4f2aa5e60c7b8ec31eed48fdf6ccdb99530a66485b666ed2a5faa5');
  });
});
