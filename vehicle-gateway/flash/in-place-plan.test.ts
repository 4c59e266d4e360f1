import { describe, expect, it } from 'vitest';
import { applyInPlace, readInPlacePatch } from '@ota/delta';
import type { FlashLayout } from '@ota/uds/vehicle';
import { inPlaceEncoderFor, inPlaceSegmentSize } from './in-place-plan.ts';
import { planRegion } from './transfer-plan.ts';

const layout = (banks: 'single' | 'dual', sectorSize = 1024): FlashLayout => ({
  banks,
  sectorSize,
  eraseTimePerSectorMs: 0,
  regions: [{ address: 0x10000, size: 64 * 1024 }],
  compressionMethods: [
    { id: 0, name: 'none' },
    { id: 1, name: 'delta' },
    { id: 3, name: 'delta-in-place' },
  ],
});

const current = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7) % 253);
const next = Uint8Array.from(current);
next.copyWithin(20_000, 21_000); // code moved down by 1000 bytes from 20 000 on
next.fill(0x11, 60_000, 60_400);

describe('in-place plan', () => {
  it('segments are 16 KiB or one sector, whichever is larger, and always whole sectors', () => {
    expect(inPlaceSegmentSize(layout('single', 1024))).toBe(16 * 1024);
    expect(inPlaceSegmentSize(layout('single', 6 * 1024))).toBe(12 * 1024);
    expect(inPlaceSegmentSize(layout('single', 64 * 1024))).toBe(64 * 1024);
  });

  it('a single-bank ECU that reported inPlaceDelta gets one download of the in-place patch, no erase', () => {
    const l = layout('single');
    const plan = planRegion(l, 0x10000, current, next, 'compressed', { encodeInPlace: inPlaceEncoderFor(l, 5) });
    expect(plan.method).toBe('in-place');
    expect(plan.ops.map((o) => o.kind)).toEqual(['download']);
    const op = plan.ops[0]!;
    if (op.kind !== 'download') throw new Error('not a download');
    expect(op.dataFormatIdentifier).toBe(0x30);
    const memory = Uint8Array.from(current);
    applyInPlace(memory, readInPlacePatch(op.payload));
    expect(memory).toEqual(next);
  });

  it('without F1A2 inPlaceDelta, on a dual-bank ECU, or without the current image: no in-place plan', () => {
    const single = layout('single');
    const encodeInPlace = inPlaceEncoderFor(single, 5);
    expect(planRegion(single, 0x10000, current, next, 'compressed').method).toBe('delta');
    expect(planRegion(layout('dual'), 0x10000, current, next, 'compressed', { encodeInPlace }).method).toBe('delta');
    expect(planRegion(single, 0x10000, null, next, 'auto', { encodeInPlace }).method).toBe('full');
  });
});
