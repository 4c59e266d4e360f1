import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore } from './store.ts';

describe('BlobStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const store = new BlobStore(dir);

  it('stores by sha256 and returns the same bytes', async () => {
    const bytes = new TextEncoder().encode('firmware image');
    const put = await store.put(bytes);
    expect(put).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length });
    expect(Buffer.from((await store.get(put.sha256)) ?? [])).toEqual(Buffer.from(bytes));
  });

  it('keeps one object for identical content and leaves no temporary files', async () => {
    const a = await store.put(new Uint8Array([1, 2, 3]));
    const b = await store.put(new Uint8Array([1, 2, 3]));
    expect(a).toEqual(b);
    const files = await readdir(join(dir, a.sha256.slice(0, 2)));
    expect(files).toEqual([a.sha256]);
  });

  it('returns null for an unknown object and refuses a malformed id', async () => {
    expect(await store.get('0'.repeat(64))).toBeNull();
    await expect(store.get('../etc/passwd')).rejects.toThrow(/not a sha256/);
  });
});
