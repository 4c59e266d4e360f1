import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from '@ota/delta';
import { EcuDeltaCache, ecuDeltaCacheBeside } from './ecu-delta-cache.ts';
import { ImageStore } from './image-store.ts';

function pair(): { base: Uint8Array; target: Uint8Array } {
  const base = new Uint8Array(64 * 1024).map((_, i) => (i * 31) % 251);
  const target = base.slice();
  target.fill(0x42, 1000, 1100);
  return { base, target };
}

describe('EcuDeltaCache', () => {
  it('encodes once per (base, target) and hands the stored payload back', () => {
    const cache = new EcuDeltaCache(join(mkdtempSync(join(tmpdir(), 'deltas-')), 'ecu-deltas'));
    const { base, target } = pair();
    const first = cache.get(base, target);
    expect(decode(base, first)).toEqual(target);
    expect(cache.get(base, target)).toEqual(first);
    expect(cache.encodes).toBe(1);
    // Another base is another key.
    const other = base.slice();
    other[5] = 0;
    cache.get(other, target);
    expect(cache.encodes).toBe(2);
    expect(readdirSync(cache.dir).filter((f) => f.endsWith('.delta'))).toHaveLength(2);
  });

  it('re-encodes a damaged entry instead of sending it', () => {
    const cache = new EcuDeltaCache(join(mkdtempSync(join(tmpdir(), 'deltas-')), 'ecu-deltas'));
    const { base, target } = pair();
    cache.get(base, target);
    const [file] = readdirSync(cache.dir);
    writeFileSync(join(cache.dir, file!), Uint8Array.of(1, 2, 3));
    expect(cache.has(base, target)).toBe(false);
    expect(decode(base, cache.get(base, target))).toEqual(target);
    expect(cache.encodes).toBe(2);
    expect(cache.clear()).toBe(1);
    expect(cache.has(base, target)).toBe(false);
  });

  it('lives beside the image store, so a new gateway process finds what an earlier one prepared', () => {
    const images = new ImageStore(join(mkdtempSync(join(tmpdir(), 'state-')), 'images'));
    const { base, target } = pair();
    ecuDeltaCacheBeside(images).get(base, target);
    const again = ecuDeltaCacheBeside(images);
    again.get(base, target);
    expect(again.encodes).toBe(0);
    expect(again.dir).toBe(join(images.dir, '..', 'ecu-deltas'));
  });
});
