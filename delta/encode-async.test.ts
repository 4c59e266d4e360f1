// encodeAsync tries the lzma-section package first and makes the plain package (the synchronous
// encoder on the whole image) only when the section's could lose: counted by spying on `encode`.
import { describe, expect, it, vi } from 'vitest';
import * as encoder from './encode.ts';
import { encodeAsync } from './encode-async.ts';
import { decodeAsync, readPackageHeader } from './index.ts';
import { encodeSectionPackage } from './section-package.ts';
import { EDK2_LZMA, firmware, volume } from './testing/index.ts';

vi.mock('./encode.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof encoder>();
  return { ...actual, encode: vi.fn(actual.encode) };
});

const OPTS = { quality: 5 };
const rawOld = volume(256 * 1024, 1);
const old = await firmware(rawOld, EDK2_LZMA);

/** How often `encode` ran on the whole images (the plain package), not on the expanded ones. */
async function encodeCounting(neu: Uint8Array): Promise<{ pkg: Uint8Array; plainRuns: number }> {
  const encode = vi.mocked(encoder.encode);
  encode.mockClear();
  const pkg = await encodeAsync(old, neu, OPTS);
  return { pkg, plainRuns: encode.mock.calls.filter(([base]) => base === old).length };
}

async function sectionPackage(neu: Uint8Array): Promise<Buffer> {
  return Buffer.concat((await encodeSectionPackage(old, neu, OPTS))!.parts);
}

describe('encodeAsync', () => {
  it('does not make the plain package when the section package wins, and keeps the same bytes', async () => {
    const rawNew = Uint8Array.from(rawOld);
    rawNew.set(volume(300, 2), 100_000);
    const neu = await firmware(rawNew, EDK2_LZMA);
    const { pkg, plainRuns } = await encodeCounting(neu);
    expect(plainRuns).toBe(0);
    expect(readPackageHeader(pkg).method).toBe('lzma-section');
    // What trying both and keeping the smaller gives.
    expect(Buffer.from(pkg).equals(await sectionPackage(neu))).toBe(true);
    expect(pkg.length).toBeLessThan(encoder.encode(old, neu, OPTS).length);
    expect(Buffer.from(await decodeAsync(old, [pkg])).equals(neu)).toBe(true);
  });

  it('makes both and keeps the plain package when the section content changed wholesale', async () => {
    const neu = await firmware(volume(256 * 1024, 3), EDK2_LZMA);
    const { pkg, plainRuns } = await encodeCounting(neu);
    expect(plainRuns).toBe(1);
    expect(Buffer.from(pkg).equals(encoder.encode(old, neu, OPTS))).toBe(true);
    expect(pkg.length).toBeLessThan((await sectionPackage(neu)).length);
  });

  it('makes both and keeps the plain package when only bytes outside the section changed', async () => {
    const neu = Uint8Array.from(old);
    neu.set(volume(200, 4), 100);
    const { pkg, plainRuns } = await encodeCounting(neu);
    expect(plainRuns).toBe(1);
    expect(Buffer.from(pkg).equals(encoder.encode(old, neu, OPTS))).toBe(true);
    expect(pkg.length).toBeLessThan((await sectionPackage(neu)).length);
  });
});
