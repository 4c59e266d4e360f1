import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeltaOp } from './match.ts';
import { addWords, DIFF_WORDS, plainReader, subtractWords } from './word-diff.ts';

describe('word-wise diff', () => {
  it('turns a constant shift of 32-bit words into one repeated value', () => {
    const old = new Uint8Array(new Uint32Array([0x000010f0, 0x000011f8, 0x00ffffff]).buffer);
    const neu = new Uint8Array(new Uint32Array([0x00001110, 0x00001218, 0x0100001f]).buffer);
    const ops: DeltaOp[] = [{ seek: 0, add: 12, extra: 0 }];
    expect(Array.from(subtractWords(plainReader(old), neu, ops, 4))).toEqual([
      0x20, 0, 0, 0, 0x20, 0, 0, 0, 0x20, 0, 0, 0,
    ]);
    expect(Array.from(subtractWords(plainReader(old), neu, ops, 1)).slice(0, 4)).toEqual([0x20, 0x01, 0, 0]);
  });

  it('is undone by addWords however the bytes are split into pieces', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.constantFrom(...DIFF_WORDS),
        fc.nat({ max: 3 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 40 }),
        (old, neuTail, word, lead, pieces) => {
          // One extra-only op shifts the add onto an arbitrary output alignment.
          const add = Math.min(old.length, neuTail.length);
          const neu = new Uint8Array(lead + add);
          neu.set(neuTail.subarray(0, add), lead);
          const ops: DeltaOp[] = lead > 0 ? [{ seek: 0, add: 0, extra: lead }] : [];
          ops.push({ seek: 0, add, extra: 0 });
          const diff = subtractWords(plainReader(old), neu, ops, word);
          const out = new Uint8Array(neu.length);
          out.set(neu.subarray(0, lead));
          let carry = 0;
          for (let done = 0, k = 0; done < add; k++) {
            const n = Math.min(pieces[k % pieces.length]!, add - done);
            carry = addWords(out, lead + done, old, done, diff, done, n, lead + done, word, carry);
            done += n;
          }
          expect(Array.from(out)).toEqual(Array.from(neu));
        },
      ),
      { numRuns: 300 },
    );
  });
});
