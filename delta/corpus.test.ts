// Round trips on real image pairs from the shared corpus (two small ones here; the benchmark runs
// all of them). The corpus sits beside the checkout: <repo>/../shared/corpus, or OTA_DELTA_CORPUS.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decode, decodeAsync, encode, encodeAsync, readPackageHeader } from './index.ts';

const corpusDir =
  process.env.OTA_DELTA_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/corpus/delta');

// Sizes of bsdiff 4.3 packages for the same pairs, measured once with Debian's bsdiff (the
// benchmark measures them afresh): this codec must not be larger.
const cases = [
  { name: 'xz-liblzma-sec-arm64', bsdiffBytes: 3393 },
  { name: 'synth-shift37-arm64', bsdiffBytes: 247 },
];

describe('real corpus pairs', () => {
  it.each(cases)('$name round-trips and beats bsdiff', async ({ name, bsdiffBytes }) => {
    expect(existsSync(corpusDir), `corpus not found at ${corpusDir} (set OTA_DELTA_CORPUS)`).toBe(true);
    const old = readFileSync(resolve(corpusDir, `${name}.old`));
    const neu = readFileSync(resolve(corpusDir, `${name}.new`));
    const pkg = encode(old, neu);
    expect(readPackageHeader(pkg).method).toBe('bsdiff-brotli');
    expect(pkg.length).toBeLessThan(bsdiffBytes);
    expect(Buffer.from(decode(old, pkg)).equals(neu)).toBe(true);
    const chunks = Array.from({ length: Math.ceil(pkg.length / 1000) }, (_, i) =>
      pkg.subarray(i * 1000, i * 1000 + 1000),
    );
    expect(Buffer.from(await decodeAsync(old, chunks)).equals(neu)).toBe(true);
  });
});

// UEFI firmware whose bulk is an LZMA-compressed volume: zstd --patch-from needs 1 184 730 bytes
// (measured once; the benchmark measures it afresh); the lzma-section method must stay under 0.75x.
describe('edk2 firmware pair (LZMA section)', () => {
  it('round-trips through the lzma-section method', { timeout: 600_000 }, async () => {
    const old = readFileSync(resolve(corpusDir, 'edk2-uefi-fw-aarch64.old'));
    const neu = readFileSync(resolve(corpusDir, 'edk2-uefi-fw-aarch64.new'));
    const pkg = await encodeAsync(old, neu, { quality: 9 });
    expect(readPackageHeader(pkg).method).toBe('lzma-section');
    expect(pkg.length).toBeLessThan(0.75 * 1_184_730);
    expect(Buffer.from(await decodeAsync(old, [pkg])).equals(neu)).toBe(true);
  });
});
