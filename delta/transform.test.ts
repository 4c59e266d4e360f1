import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeAsync, decodeStream, encode, readPackageHeader } from './index.ts';
import { applyTransform, removeTransform, TransformedImage, transformFor, Untransform } from './transform.ts';
import type { CodeTransform } from './transform.ts';

const CODE: readonly CodeTransform[] = ['arm64', 'thumb2'];

/** Random bytes in which call and ADRP opcodes are frequent, so the property covers them. */
const codeLike = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.integer({ min: 0, max: 0x3ff_ffff }).map((imm) => (0x9400_0000 | imm) >>> 0), // BL
      fc.integer({ min: 0, max: 0x7fff_ffff }).map((w) => ((w & 0x60ff_ffff) | 0x9000_0000) >>> 0), // ADRP
      fc
        .integer({ min: 0, max: 0x3f_ffff })
        .map((v) => (0xf000_f800 | ((v >> 11) & 0x7ff) | ((v & 0x7ff) << 16)) >>> 0), // Thumb BL
    ),
    { maxLength: 300 },
  )
  .chain((words) =>
    fc.integer({ min: 0, max: 3 }).map((extra) => {
      const out = new Uint8Array(words.length * 4 + extra);
      const view = new DataView(out.buffer);
      words.forEach((w, i) => view.setUint32(i * 4, w, true));
      return out;
    }),
  );

/** Splits `bytes` at the given (sorted, deduplicated) cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((from, i) => bytes.slice(from, at[i] ?? bytes.length));
}

describe('code transforms', () => {
  it.each(CODE)('%s: removeTransform inverts applyTransform, whatever the length', (t) => {
    fc.assert(
      fc.property(codeLike, (image) => {
        const transformed = applyTransform(image, t);
        removeTransform(transformed, t);
        expect(Buffer.from(transformed)).toEqual(Buffer.from(image));
      }),
      { numRuns: 300 },
    );
  });

  it.each(CODE)('%s: the streaming inverse equals the whole-image one at any chunk boundaries', (t) => {
    fc.assert(
      fc.property(codeLike, fc.array(fc.nat(), { maxLength: 8 }), (image, cuts) => {
        const transformed = applyTransform(image, t);
        const untransform = new Untransform(t);
        const parts = split(transformed, cuts).map((c) => Buffer.from(untransform.push(c)));
        parts.push(Buffer.from(untransform.end()));
        expect(Buffer.concat(parts)).toEqual(Buffer.from(image));
      }),
      { numRuns: 300 },
    );
  });

  it.each(CODE)('%s: any range read from a TransformedImage equals that range of the transformed copy', (t) => {
    fc.assert(
      fc.property(codeLike, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }), (image, ranges) => {
        const whole = applyTransform(image, t);
        const reader = new TransformedImage(image, t);
        // Not an ELF image: the map moves targets, no unwind fields are predicted.
        const map = {
          calls: [
            { at: 100, shift: 3 },
            { at: 5000, shift: -9 },
          ],
          pages: [{ at: 2, shift: 1 }],
        };
        const wholeMapped = applyTransform(image, t, map);
        for (const [a, b] of ranges) {
          const from = a % (image.length + 1);
          const n = b % (image.length - from + 1);
          expect(Buffer.from(reader.read(from, n, from))).toEqual(Buffer.from(whole.subarray(from, from + n)));
          const mapped = new TransformedImage(image, t, map).read(from, n, from + 40);
          expect(Buffer.from(mapped)).toEqual(Buffer.from(wholeMapped.subarray(from, from + n)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('arm64: a BL becomes its absolute target, ADRP its absolute page; other words stay', () => {
    const image = new Uint8Array(0x2008);
    const view = new DataView(image.buffer);
    view.setUint32(0x1000, 0x9400_0010, true); // BL +0x40, at 0x1000
    view.setUint32(0x2000, 0x9000_0020, true); // ADRP x0, immhi = 1, immlo = 0: +4 pages
    view.setUint32(0x2004, 0xd503_201f, true); // NOP
    const t = new DataView(applyTransform(image, 'arm64').buffer);
    expect(t.getUint32(0x1000, true)).toBe((0x9400_0000 | (0x10 + 0x1000 / 4)) >>> 0);
    // immhi = 1 means page displacement 4; the page of 0x2000 is 2, so the absolute page is 6.
    expect(t.getUint32(0x2000, true)).toBe((0x9000_0000 | ((6 >> 2) << 5) | ((6 & 3) << 29)) >>> 0);
    expect(t.getUint32(0x2004, true)).toBe(0xd503_201f);
    // A BL at the end that wraps: the field stays 26 bits and the opcode is kept.
    const wrap = new Uint8Array(8);
    new DataView(wrap.buffer).setUint32(4, 0x97ff_ffff, true);
    expect(new DataView(applyTransform(wrap, 'arm64').buffer).getUint32(4, true)).toBe(0x9400_0000);
  });

  it('thumb2: a BL at a halfword offset becomes absolute; a cut instruction at the end stays', () => {
    // BL +0 at offset 2: halfwords F000 F800; target field = (2 + 4) / 2 = 3.
    const image = Uint8Array.of(0x00, 0xbf, 0x00, 0xf0, 0x00, 0xf8, 0x00, 0xf0, 0x00);
    const t = applyTransform(image, 'thumb2');
    expect([...t.subarray(2, 6)]).toEqual([0x00, 0xf0, 0x03, 0xf8]);
    expect([...t.subarray(6)]).toEqual([0x00, 0xf0, 0x00]);
    expect([...t.subarray(0, 2)]).toEqual([0x00, 0xbf]);
  });

  it('picks the transform from the ELF machine', () => {
    const elf = (machine: number, data = 1): Uint8Array => {
      const h = new Uint8Array(64);
      h.set([0x7f, 0x45, 0x4c, 0x46, 2, data], 0);
      h[18] = machine & 0xff;
      h[19] = machine >> 8;
      return h;
    };
    expect(transformFor(elf(183))).toBe('arm64');
    expect(transformFor(elf(40))).toBe('thumb2');
    expect(transformFor(elf(62))).toBe('none'); // x86-64
    expect(transformFor(elf(183, 2))).toBe('none'); // big-endian
    expect(transformFor(Uint8Array.of(0x7f, 0x45))).toBe('none');
  });

  it.each(CODE)('%s: packages made with it round-trip, one-shot and streamed in odd chunks', async (t) => {
    const [old, neu] = fc.sample(codeLike, { numRuns: 2, seed: 21 }) as [Uint8Array, Uint8Array];
    const base = Buffer.concat([old, neu, old]);
    // The new image moves code by 6 bytes: every call displacement across the move changes.
    const next = Buffer.concat([base.subarray(0, 100), Buffer.alloc(6), base.subarray(100), Uint8Array.of(1, 2, 3)]);
    const pkg = encode(base, next, { method: 'bsdiff-brotli', transform: t, quality: 5 });
    expect(readPackageHeader(pkg)).toMatchObject({ method: 'bsdiff-brotli', transform: t });
    expect(Buffer.from(decode(base, pkg))).toEqual(next);
    const chunks = split(pkg, [1, 7, 30, 31, 77]);
    expect(Buffer.from(await decodeAsync(base, chunks))).toEqual(next);
  });

  it('thumb2: a call across an output chunk boundary still leaves chunks within 64 KiB', async () => {
    // Thumb NOPs with a call at 65534, across the first 64 KiB boundary (its first half is held
    // back), and one that ends the second chunk, so that nothing is held back after it.
    const old = new Uint8Array(200_000);
    for (let i = 0; i < old.length; i += 2) old.set([0x00, 0xbf], i);
    const neu = Uint8Array.from(old);
    neu.set([0x00, 0xf0, 0x00, 0xf8], 65534);
    neu.set([0x00, 0xf0, 0x00, 0xf8], 2 * 65536 - 4);
    const pkg = encode(old, neu, { method: 'bsdiff-brotli', transform: 'thumb2', quality: 1 });
    const out: Uint8Array[] = [];
    for await (const chunk of decodeStream(old, [pkg])) {
      expect(chunk.length).toBeLessThanOrEqual(64 * 1024);
      out.push(chunk);
    }
    expect(Buffer.concat(out)).toEqual(Buffer.from(neu));
  });
});

describe('full-image packages with a code transform', () => {
  it.each(CODE)('%s: round-trip, one-shot and streamed', async (t) => {
    const image = fc.sample(codeLike, { numRuns: 1, seed: 7 })[0]!;
    const pkg = encode(Uint8Array.of(1), image, { method: 'full-brotli', transform: t, quality: 5 });
    expect(readPackageHeader(pkg)).toMatchObject({ method: 'full-brotli', transform: t, diffWord: null });
    expect(Buffer.from(decode(Uint8Array.of(1), pkg))).toEqual(Buffer.from(image));
    expect(Buffer.from(await decodeAsync(Uint8Array.of(1), split(pkg, [3, 50])))).toEqual(Buffer.from(image));
  });
});
