import { createHash, createPublicKey, verify } from 'node:crypto';
import { canonicalize as tufjsCanonicalize } from '@tufjs/canonical-json';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, CanonicalJsonError, omitUndefined } from './canonical-json.ts';

describe('canonicalize', () => {
  it('sorts keys, drops whitespace and escapes only quote and backslash', () => {
    expect(canonicalize({ b: 1, a: [true, null, 'x"y\\z\n\u00e9'] })).toBe(
      '{"a":[true,null,"x\\"y\\\\z\n\u00e9"],"b":1}',
    );
  });

  it('sorts keys by code point, not by UTF-16 unit', () => {
    // U+FF61 is one unit above the surrogates; U+1F600 is a surrogate pair but the larger code point.
    expect(canonicalize({ '\u{1F600}': 1, '\uFF61': 2 })).toBe('{"\uFF61":2,"\u{1F600}":1}');
  });

  it.each([
    ['a float', { a: 1.5 }, '$.a'],
    ['NaN', [Number.NaN], '$[0]'],
    ['an unsafe integer', { n: 1e21 }, '$.n'],
    ['undefined', { a: { b: undefined } }, '$.a.b'],
    ['a Date', { d: new Date(0) }, '$.d'],
    ['a Uint8Array', [new Uint8Array(2)], '$[0]'],
    ['a bigint', { n: 1n }, '$.n'],
    ['a lone surrogate', { s: '\uD800' }, '$.s'],
  ])('rejects %s and names where it is', (_what, value, path) => {
    expect(() => canonicalize(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalize(value)).toThrow(`cannot encode ${path} `);
  });

  it('agrees with @tufjs/canonical-json on plain JSON values', () => {
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('json')),
        fc.dictionary(fc.string(), tie('json')),
      ),
    }));
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalize(value)).toBe(tufjsCanonicalize(value));
      }),
    );
  });

  // Test vector from python-tuf's test repository (tests/repository_data, 1.root.json and
  // timestamp.json): a key and a timestamp role signed by TUF's reference implementation.
  it('reproduces the bytes that TUF reference metadata was signed over', () => {
    const key = {
      keyid_hash_algorithms: ['sha256', 'sha512'],
      keytype: 'ed25519',
      keyval: { public: '52de9284608be6b718a9d88c7c5d8d9d93b33732e00d670dd4ebe4bce8bbc83c' },
    };
    const signed = {
      _type: 'Timestamp',
      expires: '2030-01-01T00:00:00Z',
      meta: {
        'snapshot.json': {
          hashes: { sha256: 'b55cf3ef997ca2d2be2ec921cdc8ab278ee77748041f9426dbe4ce1b2c8ba781' },
          length: 636,
          version: 1,
        },
      },
      version: 1,
    };
    const sig =
      '1749729587ae99bdbaeff59562f1a06cfa3f2b8c31d0b82b8f10fcb4cc5fbf21a0df885e57994bae1b542b814cafaf506d357618515c18d8b5e4b23b90e26506';

    expect(createHash('sha256').update(canonicalize(key)).digest('hex')).toBe(
      '3f09f6468a522bea0364a23315872d8400875dfdb24ff4ecd32f27164d5c23c1',
    );
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key.keyval.public, 'hex')]);
    const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from(canonicalize(signed)), publicKey, Buffer.from(sig, 'hex'))).toBe(true);
    expect(verify(null, Buffer.from(JSON.stringify(signed, null, 1)), publicKey, Buffer.from(sig, 'hex'))).toBe(false);
  });
});

describe('omitUndefined', () => {
  it('drops undefined properties at any depth and keeps everything else', () => {
    const value = { a: undefined, b: [{ c: undefined, d: null }], e: { f: 1, g: undefined } };
    expect(omitUndefined(value)).toEqual({ b: [{ d: null }], e: { f: 1 } });
    expect(canonicalize(omitUndefined(value))).toBe('{"b":[{"d":null}],"e":{"f":1}}');
  });
});
