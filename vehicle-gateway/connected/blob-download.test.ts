import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobDownloader, DownloadError, type ChunkChannel } from './blob-download.ts';

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('BlobDownloader', () => {
  it('ends a download at once when its signal aborts, and asks for nothing more', async () => {
    dir = await mkdtemp(join(tmpdir(), 'blob-download-'));
    const requests: string[] = [];
    const abort = new AbortController();
    // A link that never answers: without the signal the download would wait out its stalls.
    const silent: ChunkChannel = {
      async requestChunks(requestId) {
        requests.push(requestId);
        abort.abort();
      },
      onChunk: () => () => undefined,
    };
    const downloader = new BlobDownloader(dir, silent, { stallMs: 60_000, signal: abort.signal });
    const fetching = downloader.fetch('ab'.repeat(32), 4096);
    await expect(fetching).rejects.toBeInstanceOf(DownloadError);
    await expect(fetching).rejects.toThrow(/was stopped/);
    expect(requests).toHaveLength(1);
  });
});
