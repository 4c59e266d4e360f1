import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageStore } from './image-store.ts';

describe('ImageStore', () => {
  it('stores by content hash and refuses to hand out a damaged copy', () => {
    const store = new ImageStore(join(mkdtempSync(join(tmpdir(), 'images-')), 'images'));
    const bytes = Uint8Array.from([1, 2, 3, 4]);
    const sha = store.put(bytes, { version: '1.0', hardwareId: 'HW', signatures: [new Uint8Array(64).fill(7)] });
    expect(store.get(sha)).toMatchObject({ version: '1.0', hardwareId: 'HW', bytes });
    expect(store.get(sha)?.signatures[0]?.[0]).toBe(7);
    writeFileSync(join(store.dir, `${sha}.bin`), Uint8Array.from([9, 9, 9, 9]));
    expect(store.get(sha)).toBeNull();
    expect(() => store.get('../../etc/passwd')).toThrow(/not a SHA-256/);
  });

  it('prunes every image the ECUs no longer run', () => {
    const store = new ImageStore(join(mkdtempSync(join(tmpdir(), 'images-')), 'images'));
    const meta = { version: '1', hardwareId: 'HW', signatures: [new Uint8Array(64)] };
    const a = store.put(Uint8Array.of(1), meta);
    const b = store.put(Uint8Array.of(2), meta);
    expect(store.retainOnly(new Set([b]))).toBe(1);
    expect(store.has(a)).toBe(false);
    expect(store.get(b)?.bytes).toEqual(Uint8Array.of(2));
  });
});
