import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeAsync, decodeStream, encode, readPackageHeader } from './index.ts';
import { codeOf } from './testing/index.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

async function roundTrip(
  old: Uint8Array,
  neu: Uint8Array,
  method?: 'bsdiff-brotli' | 'full-brotli',
): Promise<Uint8Array> {
  const pkg = encode(old, neu, method ? { method, quality: 5 } : { quality: 5 });
  expect(Buffer.from(decode(old, pkg))).toEqual(Buffer.from(neu));
  const chunks = Array.from({ length: Math.ceil(pkg.length / 50) }, (_, i) => pkg.subarray(i * 50, i * 50 + 50));
  expect(Buffer.from(await decodeAsync(old, chunks))).toEqual(Buffer.from(neu));
  return pkg;
}

/** A mostly-similar pair: new is old with a few edits, an insertion and a moved block. */
function similarPair(size: number): [Uint8Array, Uint8Array] {
  const old = new Uint8Array(size);
  for (let i = 0; i < size; i++) old[i] = (i * 7 + (i >> 5)) & 0xff;
  const neu = Buffer.concat([
    old.subarray(0, size / 4),
    randomBytes(100),
    old.subarray(size / 2),
    old.subarray(size / 4, size / 2),
  ]);
  for (let i = 0; i < neu.length; i += 997) neu[i] = neu[i]! ^ 0x5a;
  return [old, neu];
}

describe('encode/decode round trip', () => {
  const empty = new Uint8Array(0);
  it.each([
    ['both empty', empty, empty],
    ['old empty', empty, bytes('hello, world')],
    ['new empty', bytes('hello, world'), empty],
    ['identical', bytes('identical image '.repeat(100)), bytes('identical image '.repeat(100))],
    ['tiny', bytes('a'), bytes('b')],
    ['random', randomBytes(5000), randomBytes(7000)],
  ])('%s', async (_name, old, neu) => {
    for (const method of ['bsdiff-brotli', 'full-brotli'] as const) {
      const pkg = await roundTrip(old, neu, method);
      expect(readPackageHeader(pkg).method).toBe(method);
    }
    await roundTrip(old, neu);
  });

  it('makes a small delta for a similar pair and streams it back in order', async () => {
    const [old, neu] = similarPair(64 * 1024);
    const pkg = await roundTrip(old, neu, 'bsdiff-brotli');
    expect(pkg.length).toBeLessThan(neu.length / 10);
    // Feed the package in odd-sized chunks; output arrives in bounded chunks.
    const chunks = Array.from({ length: Math.ceil(pkg.length / 7) }, (_, i) => pkg.subarray(i * 7, i * 7 + 7));
    const out: Uint8Array[] = [];
    for await (const c of decodeStream(old, chunks)) {
      expect(c.length).toBeLessThanOrEqual(64 * 1024);
      out.push(c);
    }
    expect(Buffer.concat(out)).toEqual(Buffer.from(neu));
  });

  it.each([1, 2, 4] as const)('round-trips with %i-byte diff words, also in odd-sized chunks', async (diffWord) => {
    const [old, neu] = similarPair(200 * 1024);
    const pkg = encode(old, neu, { method: 'bsdiff-brotli', diffWord, quality: 5 });
    expect(readPackageHeader(pkg).diffWord).toBe(diffWord);
    expect(Buffer.from(decode(old, pkg))).toEqual(Buffer.from(neu));
    const chunks = Array.from({ length: Math.ceil(pkg.length / 333) }, (_, i) => pkg.subarray(i * 333, i * 333 + 333));
    expect(Buffer.from(await decodeAsync(old, chunks))).toEqual(Buffer.from(neu));
  });

  it('falls back to the full image when a delta does not pay', async () => {
    const old = randomBytes(20_000);
    const neu = new Uint8Array(20_000).fill(0x41);
    const pkg = await roundTrip(old, neu);
    expect(readPackageHeader(pkg).method).toBe('full-brotli');
  });

  it('lets a consumer stop early without errors or leaks', async () => {
    const [old, neu] = similarPair(256 * 1024);
    const pkg = encode(old, neu, { quality: 5 });
    const stream = decodeStream(old, [pkg]);
    const first = await stream.next();
    expect(first.done).toBe(false);
    expect(Buffer.from(first.value as Uint8Array)).toEqual(Buffer.from(neu.subarray(0, 64 * 1024)));
    expect((await stream.return(undefined)).done).toBe(true);
  });

  it('writes a header that describes both images', () => {
    const pkg = encode(bytes('old image'), bytes('new image!'));
    const h = readPackageHeader(pkg);
    expect(h.version).toBe(4);
    const baseSha = createHash('sha256').update('old image').digest('hex');
    expect(h.base).toEqual({ length: 9, sha256Prefix: baseSha.slice(0, 16) });
    expect(h.result).toEqual({ length: 10, sha256: createHash('sha256').update('new image!').digest('hex') });
    expect(h.packageLength).toBe(pkg.length);
    // magic, version, kind, six one-byte lengths, 8-byte base prefix, result SHA-256
    expect(h.headerLength).toBe(4 + 1 + 1 + 6 + 8 + 32);
  });

  it('still reads version 2 packages (version 3 without the reference map length)', async () => {
    const old = bytes('old image');
    const neu = bytes('new image!');
    const pkg = encode(old, neu, { method: 'bsdiff-brotli', transform: 'none' });
    const lengthsAt = 6;
    expect([...pkg.subarray(lengthsAt, lengthsAt + 6)].every((b) => b < 0x80)).toBe(true);
    expect(pkg[lengthsAt + 3]).toBe(0); // no reference map
    const v2 = Buffer.concat([pkg.subarray(0, 4), Uint8Array.of(2), pkg.subarray(5, 9), pkg.subarray(10)]);
    expect(readPackageHeader(v2).version).toBe(2);
    expect(Buffer.from(decode(old, v2))).toEqual(Buffer.from(neu));
    expect(Buffer.from(await decodeAsync(old, [v2]))).toEqual(Buffer.from(neu));
  });

  it('still reads version 3 packages (version 4 without the lzma-section method)', async () => {
    const old = bytes('old image');
    const neu = bytes('new image!');
    const v3 = encode(old, neu, { method: 'bsdiff-brotli', transform: 'none' });
    v3[4] = 3;
    expect(readPackageHeader(v3).version).toBe(3);
    expect(Buffer.from(decode(old, v3))).toEqual(Buffer.from(neu));
    expect(Buffer.from(await decodeAsync(old, [v3]))).toEqual(Buffer.from(neu));
  });
});

describe('refusals', () => {
  const [old, neu] = similarPair(16 * 1024);
  const pkg = encode(old, neu, { method: 'bsdiff-brotli', quality: 5 });
  const full = encode(old, neu, { method: 'full-brotli', quality: 5 });

  it('refuses a different base image, sync and streaming', async () => {
    const other = Uint8Array.from(old);
    other[100] = other[100]! ^ 1;
    expect(await codeOf(() => decode(other, pkg))).toBe('base_mismatch');
    expect(await codeOf(decodeAsync(other, [pkg]))).toBe('base_mismatch');
    expect(await codeOf(() => decode(old.subarray(1), pkg))).toBe('base_mismatch');
  });

  const headerLength = readPackageHeader(pkg).headerLength;

  it('reports truncation at every kind of cut', async () => {
    for (const cut of [0, 3, 5, 7, 10, headerLength - 1, headerLength, headerLength + 5, pkg.length - 1]) {
      expect(await codeOf(() => decode(old, pkg.subarray(0, cut)))).toBe('truncated');
      expect(await codeOf(decodeAsync(old, [pkg.subarray(0, cut)]))).toBe('truncated');
    }
  });

  it('reports trailing data, bad magic and unknown versions', async () => {
    const longer = Buffer.concat([pkg, Uint8Array.of(0)]);
    expect(await codeOf(() => decode(old, longer))).toBe('corrupt');
    expect(await codeOf(decodeAsync(old, [longer]))).toBe('corrupt');
    const badMagic = Uint8Array.from(pkg);
    badMagic[0] = 0x58;
    expect(await codeOf(() => decode(old, badMagic))).toBe('corrupt');
    for (const version of [1, 5, 255]) {
      const other = Uint8Array.from(pkg);
      other[4] = version;
      expect(() => decode(old, other)).toThrow(`package format version ${version} is not supported`);
      expect(await codeOf(decodeAsync(old, [other]))).toBe('unsupported_version');
    }
    const method3 = Uint8Array.from(pkg);
    method3[4] = 3;
    method3[5] = 3;
    expect(() => decode(old, method3)).toThrow('package method 3 needs format version 4, not 3');
    const transform7 = Uint8Array.from(pkg);
    transform7[5] = (pkg[5]! & 0x1f) | (7 << 5);
    expect(() => decode(old, transform7)).toThrow('code transform 7 is not supported');
  });

  it('reports a result whose hash differs from the declared one', async () => {
    for (const p of [pkg, full]) {
      const wrong = Uint8Array.from(p);
      const at = readPackageHeader(p).headerLength - 1; // the result SHA-256 ends the header
      wrong[at] = wrong[at]! ^ 0xff;
      expect(await codeOf(() => decode(old, wrong))).toBe('result_mismatch');
      expect(await codeOf(decodeAsync(old, [wrong]))).toBe('result_mismatch');
    }
  });

  it('refuses a declared result larger than the limit', async () => {
    expect(await codeOf(() => decode(old, pkg, { maxResultLength: 1000 }))).toBe('too_large');
    expect(await codeOf(decodeAsync(old, [pkg], { maxResultLength: 1000 }))).toBe('too_large');
  });

  it('fails with a DeltaError only, whatever bytes are corrupted or cut (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(pkg, full),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (original, edits, cutAt) => {
          let p = Uint8Array.from(original);
          for (const e of edits) p[e.at % p.length] = e.value;
          if (cutAt !== undefined) p = p.subarray(0, cutAt % (p.length + 1));
          for (const result of [await codeOf(() => decode(old, p)), await codeOf(decodeAsync(old, [p]))]) {
            // An edit may by chance leave the package valid (e.g. a byte set to its own value).
            if (result === 'ok') expect(Buffer.from(decode(old, p))).toEqual(Buffer.from(neu));
            else
              expect([
                'corrupt',
                'truncated',
                'result_mismatch',
                'base_mismatch',
                'unsupported_version',
                'too_large',
              ]).toContain(result);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
