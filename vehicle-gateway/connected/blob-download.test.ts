import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkServer } from '@ota/protocol/testing';
import { sha256Hex } from '@ota/protocol';
import { BlobDownloader } from './blob-download.ts';

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

const blob = new Uint8Array(3000).map((_, i) => i % 251);
const sha256 = sha256Hex(blob);

/** Answers the first `serve` requests in full, then nothing. */
const link = (serve: number) => chunkServer(blob, (ranges, call) => (call > serve ? [] : ranges));

describe('BlobDownloader', () => {
  it('keeps what arrived on disk, so a later fetch asks only for the rest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'blob-download-'));
    const options = { chunkSize: 1000, window: 1, stallMs: 20, maxStalls: 1 };
    const first = link(2);
    await expect(new BlobDownloader(dir, first.channel, options).fetch(sha256, blob.length)).rejects.toThrow(/no data/);
    expect(existsSync(join(dir, `${sha256}.part`))).toBe(true);

    const second = link(10);
    expect(await new BlobDownloader(dir, second.channel, options).fetch(sha256, blob.length)).toEqual(blob);
    expect(second.asked).toEqual([[{ offset: 2000, length: 1000 }]]);
    expect(existsSync(join(dir, `${sha256}.part`))).toBe(false);
    expect(existsSync(join(dir, `${sha256}.ranges.json`))).toBe(false);
  });
});
