import { describe, expect, it } from 'vitest';
import { decode, decodeAsync, DeltaError, encode, readPackageHeader } from './index.ts';
import { decodeRefMap, encodeRefMap, mapValue } from './ref-map.ts';
import type { RefMap } from './ref-map.ts';
import { codeOf } from './testing/index.ts';

const BL = 0x9400_0000;
const NOP = 0xd503_201f;

/**
 * An arm64-like image of `functions` functions of 64 words each: NOPs and calls to other
 * functions' starts. `grow` adds `by` NOP words to the end of function `grow`, so everything after
 * it moves and every call into the moved functions changes its target.
 */
function callImage(functions: number, grow?: { at: number; by: number }): Uint8Array {
  const sizes = Array.from({ length: functions }, (_, f) => 64 + (grow && f === grow.at ? grow.by : 0));
  const starts = sizes.map((_, f) => sizes.slice(0, f).reduce((a, b) => a + b, 0));
  const words = new Uint32Array(sizes.reduce((a, b) => a + b, 0));
  for (let f = 0; f < functions; f++) {
    for (let k = 0; k < sizes[f]!; k++) {
      const at = starts[f]! + k;
      const callee = (f * 7 + k * 13) % functions;
      words[at] = k % 5 === 1 && k < 64 ? (BL | ((starts[callee]! - at) & 0x3ff_ffff)) >>> 0 : NOP;
    }
  }
  return new Uint8Array(words.buffer);
}

describe('reference maps', () => {
  it('round-trip through their stream encoding, negative shifts included', () => {
    const map: RefMap = {
      calls: [
        { at: 10, shift: 4 },
        { at: 400, shift: -12 },
        { at: 0x3ff_fff0, shift: 0 },
      ],
      pages: [{ at: 3, shift: 1 }],
    };
    expect(decodeRefMap(encodeRefMap(map))).toEqual(map);
    expect(decodeRefMap(encodeRefMap({ calls: [], pages: [] }))).toEqual({ calls: [], pages: [] });
  });

  it('maps a value by the last breakpoint at or before it, wrapping within the field', () => {
    const breaks = [
      { at: 10, shift: 4 },
      { at: 20, shift: -30 },
    ];
    expect(mapValue(breaks, 9, 0xff)).toBe(9);
    expect(mapValue(breaks, 10, 0xff)).toBe(14);
    expect(mapValue(breaks, 19, 0xff)).toBe(23);
    expect(mapValue(breaks, 25, 0xff)).toBe((25 - 30) & 0xff);
  });

  it('refuses a truncated, non-increasing or over-long map stream as corrupt', () => {
    const good = encodeRefMap({ calls: [{ at: 5, shift: 2 }], pages: [] });
    for (const bad of [
      good.subarray(0, good.length - 1),
      Uint8Array.of(...good, 0),
      encodeRefMap({
        calls: [
          { at: 5, shift: 2 },
          { at: 5, shift: 3 },
        ],
        pages: [],
      }),
      Uint8Array.of(0x7f, 1, 1),
    ]) {
      expect(() => decodeRefMap(bad)).toThrow(DeltaError);
    }
  });
});

describe('packages with a reference map', () => {
  const old = callImage(200);
  const neu = callImage(200, { at: 50, by: 9 });

  it('are used when calls move, are smaller than without, and round-trip one-shot and streamed', async () => {
    const pkg = encode(old, neu, { method: 'bsdiff-brotli', transform: 'arm64', quality: 5 });
    const header = readPackageHeader(pkg);
    expect(header.transform).toBe('arm64');
    expect(header.streams.refMap).toBeGreaterThan(0);
    const plain = encode(old, neu, { method: 'bsdiff-brotli', transform: 'none', quality: 5 });
    expect(pkg.length).toBeLessThan(plain.length);
    expect(Buffer.from(decode(old, pkg))).toEqual(Buffer.from(neu));
    const chunks = Array.from({ length: Math.ceil(pkg.length / 33) }, (_, i) => pkg.subarray(i * 33, i * 33 + 33));
    expect(Buffer.from(await decodeAsync(old, chunks))).toEqual(Buffer.from(neu));
  });

  it('report a damaged or cut map stream as a clear error, never a wrong image', async () => {
    const pkg = encode(old, neu, { method: 'bsdiff-brotli', transform: 'arm64', quality: 5 });
    const h = readPackageHeader(pkg);
    const mapAt = h.headerLength + h.streams.control;
    for (let i = 0; i < h.streams.refMap; i++) {
      const bad = Uint8Array.from(pkg);
      bad[mapAt + i] = bad[mapAt + i]! ^ 0x5a;
      let out: Uint8Array | undefined;
      const code = await codeOf(() => (out = decode(old, bad)));
      // A flip in bits brotli ignores may still decode; then the image must be the right one.
      if (code === 'ok') expect(Buffer.from(out!)).toEqual(Buffer.from(neu));
      else expect(['corrupt', 'result_mismatch']).toContain(code);
      expect(await codeOf(decodeAsync(old, [bad]))).toBe(code);
    }
    expect(await codeOf(() => decode(old, pkg.subarray(0, mapAt + 1)))).toBe('truncated');
  });

  it('are refused on a package without a code transform', async () => {
    const pkg = encode(old, neu, { method: 'bsdiff-brotli', transform: 'arm64', quality: 5 });
    const none = Uint8Array.from(pkg);
    none[5] = pkg[5]! & 0x1f;
    expect(await codeOf(() => decode(old, none))).toBe('corrupt');
    expect(() => readPackageHeader(none)).toThrow('reference map without a code transform');
  });
});
