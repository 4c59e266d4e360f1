import { describe, expect, it } from 'vitest';
import { bytes, hex, nrcOf } from '../services/codec-test-helpers.ts';
import { decodeMemoryRange, encodeMemoryRange } from './memory-range.ts';

describe('memory-range record (31 01 FF00 / 0206)', () => {
  it('encodes 4-byte address and size after 0x44', () => {
    expect(hex(encodeMemoryRange(0x00010000, 0x00040000))).toBe('440001000000040000');
  });

  it('decodes what it encodes, and shorter fields an ECU accepts', () => {
    expect(decodeMemoryRange(encodeMemoryRange(0xfffff000, 0x1000))).toEqual({ address: 0xfffff000, size: 0x1000 });
    expect(decodeMemoryRange(bytes('12 8000 10'))).toEqual({ address: 0x8000, size: 0x10 });
  });

  it('refuses a malformed record with the NRC a server sends', () => {
    expect(nrcOf(() => decodeMemoryRange(new Uint8Array(0)))).toBe(0x13);
    expect(nrcOf(() => decodeMemoryRange(Uint8Array.of(0x45, 0, 0, 0, 0, 0, 0, 0, 0, 0)))).toBe(0x31);
    expect(nrcOf(() => decodeMemoryRange(Uint8Array.of(0x44, 0, 0, 0, 0, 0, 0, 0)))).toBe(0x13);
  });

  it('refuses to encode a value that does not fit 32 bits', () => {
    expect(() => encodeMemoryRange(2 ** 32, 1)).toThrow(RangeError);
  });
});
