import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInPlacePatch } from '@ota/delta';
import type { FlashLayout } from '@ota/uds/vehicle';
import { EcuDeltaCache } from './ecu-delta-cache.ts';
import { inPlaceCache } from './in-place-cache.ts';

const layout = (sectorSize: number): FlashLayout => ({
  banks: 'single',
  sectorSize,
  eraseTimePerSectorMs: 0,
  regions: [{ address: 0, size: 64 * 1024 }],
  compressionMethods: [{ id: 0, name: 'none' }],
});

describe('in-place patches in the ECU-side delta cache', () => {
  it('are encoded once per (base, target, segment size), beside and apart from the dual-bank deltas', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'in-place-cache-')), 'ecu-deltas');
    const base = new Uint8Array(64 * 1024).map((_, i) => (i * 31) % 251);
    const target = base.slice();
    target.fill(0x42, 1000, 1100);
    const cache = inPlaceCache(dir, layout(4096));
    const patch = cache.get(base, target);
    expect(readInPlacePatch(patch).segmentSize).toBe(16 * 1024);
    expect(cache.get(base, target)).toEqual(patch);
    expect(cache.encodes).toBe(1);
    // Another sector layout, another segment size: another entry; the dual-bank delta is a third.
    expect(readInPlacePatch(inPlaceCache(dir, layout(32 * 1024)).get(base, target)).segmentSize).toBe(32 * 1024);
    new EcuDeltaCache(dir).get(base, target);
    expect(readdirSync(dir).filter((f) => f.endsWith('.delta'))).toHaveLength(3);
  });
});
