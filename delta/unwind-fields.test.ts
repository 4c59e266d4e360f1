import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findUnwindFields, predictFields } from './unwind-fields.ts';

const corpusDir =
  process.env.OTA_DELTA_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/corpus/delta');

describe('unwind-table fields', () => {
  it('are found in an arm64 ELF, and predicted as they are when nothing moves', () => {
    expect(existsSync(corpusDir), `corpus not found at ${corpusDir} (set OTA_DELTA_CORPUS)`).toBe(true);
    const image = readFileSync(resolve(corpusDir, 'xz-liblzma-sec-arm64.old'));
    const fields = findUnwindFields(image);
    // liblzma has 342 functions with an FDE: pc_begin and CIE pointer each, two search-table columns.
    expect(fields.positions.length).toBeGreaterThan(4 * 300);
    expect([...fields.positions].every((p, i) => i === 0 || p > fields.positions[i - 1]!)).toBe(true);
    const predicted = Uint8Array.from(image);
    predictFields(fields, image, predicted, 0, predicted.length, 0, (t) => t);
    expect(Buffer.from(predicted).equals(image)).toBe(true);
    // Moving every target and the fields by the same amount changes nothing either.
    predictFields(fields, image, predicted, 0, predicted.length, 64, (t) => t + 64);
    expect(Buffer.from(predicted).equals(image)).toBe(true);
  });

  it('predicts a moved target into the field, also when the range cuts a field in two', () => {
    const image = readFileSync(resolve(corpusDir, 'xz-liblzma-sec-arm64.old'));
    const fields = findUnwindFields(image);
    const p = fields.positions[10]!;
    const whole = Uint8Array.from(image.subarray(p - 8, p + 8));
    predictFields(fields, image, whole, p - 8, whole.length, 0, (t) => t + 4096);
    expect(Buffer.from(whole).equals(image.subarray(p - 8, p + 8))).toBe(false);
    const cut = Uint8Array.from(image.subarray(p + 2, p + 8));
    predictFields(fields, image, cut, p + 2, cut.length, 0, (t) => t + 4096);
    expect(Buffer.from(cut)).toEqual(Buffer.from(whole.subarray(10)));
  });

  it('finds nothing, without throwing, in garbage that starts like an ELF file', () => {
    for (let i = 0; i < 200; i++) {
      const junk = randomBytes(64 + (i % 7) * 100);
      junk.set([0x7f, 0x45, 0x4c, 0x46, 1 + (i % 2), 1], 0);
      expect(() => findUnwindFields(junk)).not.toThrow();
    }
    expect(findUnwindFields(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46)).positions.length).toBe(0);
  });
});
