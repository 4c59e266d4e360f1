// The lzma-section method on synthetic firmware: a GUID-defined LZMA section whose stream the
// decoder replays (any encoder's settings), or one it cannot reproduce (bytes after the stream),
// which the encoder must not use; and packages of the 7-Zip profile earlier releases made.
import { describe, expect, it } from 'vitest';
import { decode, decodeAsync, decodeStream, encodeAsync, readPackageHeader } from './index.ts';
import { findLzmaSection, readDescriptor, RECOMPRESS_7ZIP, REPLAY_PARSE } from './lzma-section.ts';
import { encodeSectionPackage } from './section-package.ts';
import { lzmaDecode } from './seven-zip.ts';
import { codeOf, EDK2_LZMA, firmware, volume } from './testing/index.ts';

const rawOld = volume(256 * 1024, 1);
const rawNew = Uint8Array.from(rawOld);
rawNew.set(volume(300, 2), 100_000);

describe('lzma-section packages', async () => {
  const old = await firmware(rawOld, EDK2_LZMA);
  const neu = await firmware(rawNew, EDK2_LZMA);
  const pkg = await encodeAsync(old, neu, { quality: 5 });

  it('delta the decompressed section and recompress it bit-exactly', async () => {
    expect(readPackageHeader(pkg).method).toBe('lzma-section');
    expect(findLzmaSection(neu)?.offset).toBe(4096 + 24);
    expect(pkg.length).toBeLessThan(2000);
    expect(Buffer.from(await decodeAsync(old, [pkg])).equals(neu)).toBe(true);
    const parts: Uint8Array[] = [];
    for await (const chunk of decodeStream(old, [pkg.subarray(0, 10), pkg.subarray(10)])) parts.push(chunk);
    expect(Buffer.concat(parts).equals(neu)).toBe(true);
    expect(() => decode(old, pkg)).toThrow('decoded by decodeAsync or decodeStream only');
  });

  it('replays a section made with other encoder settings', async () => {
    const other = await firmware(rawNew, { ...EDK2_LZMA, fb: 64 });
    expect(Buffer.from(other).equals(neu)).toBe(false); // the settings do change the stream
    const replayed = await encodeAsync(old, other, { quality: 5 });
    expect(readPackageHeader(replayed).method).toBe('lzma-section');
    expect(Buffer.from(await decodeAsync(old, [replayed])).equals(other)).toBe(true);
  });

  it('is not used when the section holds bytes after its stream', async () => {
    const padded = await firmware(rawNew, EDK2_LZMA, Uint8Array.of(1, 2, 3));
    const fallback = await encodeAsync(old, padded, { quality: 5 });
    expect(readPackageHeader(fallback).method).not.toBe('lzma-section');
    expect(Buffer.from(decode(old, fallback)).equals(padded)).toBe(true);
  });

  it('refuses to expand a base beyond the result limit', async () => {
    const limited = decodeAsync(old, [pkg], { maxResultLength: neu.length });
    await expect(limited).rejects.toThrow(/base expanded would be \d+ bytes; the limit is/);
    expect(await codeOf(decodeAsync(old, [pkg], { maxResultLength: neu.length }))).toBe('too_large');
  });

  it("still decodes the 7-Zip profile's packages", async () => {
    const legacy = await encodeSectionPackage(old, neu, { quality: 5 }, RECOMPRESS_7ZIP);
    const legacyPkg = Buffer.concat(legacy!.parts);
    const { headerLength: at, streams: s7 } = readPackageHeader(legacyPkg);
    expect(readDescriptor(legacyPkg.subarray(at, at + s7.control)).profile).toBe(RECOMPRESS_7ZIP);
    expect(Buffer.from(await decodeAsync(old, [legacyPkg])).equals(neu)).toBe(true);
  });

  const { headerLength, streams } = readPackageHeader(pkg);

  it('refuses a package whose recompression does not give the declared section', async () => {
    const wrong = Uint8Array.from(pkg);
    const descriptor = readDescriptor(pkg.subarray(headerLength, headerLength + streams.control));
    expect(descriptor.profile).toBe(REPLAY_PARSE);
    const propsAt = headerLength + streams.control - 13;
    expect(wrong[propsAt]).toBe(descriptor.neuHeader[0]);
    wrong[propsAt] = 0; // lc=lp=pb=0: a valid header, another stream
    expect(await codeOf(decodeAsync(old, [wrong]))).toBe('result_mismatch');
  });

  it('refuses corrupted descriptors and nested packages with a DeltaError', async () => {
    const nestedAt = headerLength + streams.control;
    for (const at of [headerLength, headerLength + 1, nestedAt + 5, nestedAt + 60, pkg.length - 1]) {
      const bad = Uint8Array.from(pkg);
      bad[at] = bad[at]! ^ 0x55;
      expect(['corrupt', 'result_mismatch', 'truncated', 'unsupported_version', 'base_mismatch']).toContain(
        await codeOf(decodeAsync(old, [bad])),
      );
    }
    expect(await codeOf(decodeAsync(old, [pkg.subarray(0, pkg.length - 1)]))).toBe('truncated');
  });
});

describe('7-Zip in WebAssembly', () => {
  it('refuses a corrupt LZMA stream without changing the host process exit code', async () => {
    const before = process.exitCode;
    const corrupt = Uint8Array.of(0x5d, 0, 0, 0, 1, 50, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(await codeOf(lzmaDecode(corrupt))).toBe('corrupt');
    expect(process.exitCode).toBe(before);
  });
});
