import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../tuf/bytes.ts';
import { downloadBlob, DownloadError, type ChunkChannel } from './download-blob.ts';
import { MemoryDownloadStore } from './memory-store.ts';
import { chunkServer } from './testing/chunk-server.ts';

const blob = new Uint8Array(10_000).map((_, i) => (i * 7) % 251);
const sha256 = sha256Hex(blob);

const server = (answer: Parameters<typeof chunkServer>[1], totalLength?: number) =>
  chunkServer(blob, answer, totalLength);

const memory = () => new MemoryDownloadStore(blob.length);

/** `promise`, and whether it has settled yet (its rejection is kept for whoever awaits it). */
function settledLater<T>(promise: Promise<T>): { promise: Promise<T>; settled: boolean } {
  const watched = { promise, settled: false };
  promise.then(
    () => (watched.settled = true),
    () => (watched.settled = true),
  );
  return watched;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('downloadBlob', () => {
  it('ends a download at once when its signal aborts, and asks for nothing more', async () => {
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
    const fetching = downloadBlob(silent, { sha256: 'ab'.repeat(32), length: 4096 }, memory, {
      stallMs: 60_000,
      signal: abort.signal,
    });
    await expect(fetching).rejects.toBeInstanceOf(DownloadError);
    await expect(fetching).rejects.toThrow(/was stopped/);
    expect(requests).toHaveLength(1);
  });

  it('asks again only for what did not arrive, and returns the blob once it hashes right', async () => {
    // The first answer loses its second range.
    const { channel, asked } = server((ranges, call) => (call === 1 ? ranges.slice(0, 1) : ranges));
    const bytes = await downloadBlob(channel, { sha256, length: blob.length }, memory, {
      chunkSize: 4096,
      window: 8,
      stallMs: 50,
    });
    expect(bytes).toEqual(blob);
    expect(asked[0]).toEqual([
      { offset: 0, length: 4096 },
      { offset: 4096, length: 4096 },
      { offset: 8192, length: 1808 },
    ]);
    expect(asked[1]).toEqual([
      { offset: 4096, length: 4096 },
      { offset: 8192, length: 1808 },
    ]);
  });

  it('gives up after maxStalls requests without any data', async () => {
    const { channel, asked } = server(() => []);
    const fetching = downloadBlob(channel, { sha256, length: blob.length }, memory, { stallMs: 5, maxStalls: 3 });
    await expect(fetching).rejects.toThrow(/no data for .* after 3 attempts/);
    expect(asked).toHaveLength(3);
  });

  it('asks again without counting a stall while the transport answers for no request (broker down)', async () => {
    vi.useFakeTimers();
    let brokerUp = false;
    const { channel: served, asked } = server((ranges) => ranges);
    const asks: string[] = [];
    // Until the broker is back, a request is neither acknowledged nor refused (mqtt.js queues it).
    const channel: ChunkChannel = {
      requestChunks: (requestId, sha, ranges) => (
        asks.push(requestId),
        brokerUp ? served.requestChunks(requestId, sha, ranges) : new Promise(() => undefined)
      ),
      onChunk: (l) => served.onChunk(l),
    };
    const fetching = settledLater(
      downloadBlob(channel, { sha256, length: blob.length }, memory, { stallMs: 1000, maxStalls: 2 }),
    );
    await vi.advanceTimersByTimeAsync(5500);
    expect(asks).toHaveLength(6);
    expect(fetching.settled).toBe(false);
    brokerUp = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(await fetching.promise).toEqual(blob);
    expect(asked).toHaveLength(1);
  });

  it('counts a stall from when the transport answered for the request, not from its sending', async () => {
    vi.useFakeTimers();
    const { channel: served, asked } = server((ranges) => ranges);
    // The broker acknowledges after 0.6 s and the data follows 0.6 s later: 1.2 s after the sending.
    const channel: ChunkChannel = {
      requestChunks: (requestId, sha, ranges) =>
        new Promise((resolve) =>
          setTimeout(() => {
            resolve();
            setTimeout(() => void served.requestChunks(requestId, sha, ranges), 600);
          }, 600),
        ),
      onChunk: (l) => served.onChunk(l),
    };
    const fetching = downloadBlob(channel, { sha256, length: blob.length }, memory, { stallMs: 1000, maxStalls: 1 });
    const settled = settledLater(fetching);
    await vi.advanceTimersByTimeAsync(1300);
    expect(settled.settled).toBe(true);
    expect(await fetching).toEqual(blob);
    expect(asked).toHaveLength(1);
  });

  it('refuses a server that names another length than the signed metadata', async () => {
    const { channel } = server((ranges) => ranges, blob.length + 1);
    const fetching = downloadBlob(channel, { sha256, length: blob.length }, memory, { stallMs: 1000 });
    await expect(fetching).rejects.toThrow(/says .* is 10001 bytes, the signed metadata 10000/);
  });

  it('discards a blob that does not hash to the expected SHA-256', async () => {
    const { channel } = server((ranges) => ranges);
    const fetching = downloadBlob(channel, { sha256: 'cd'.repeat(32), length: blob.length }, memory);
    await expect(fetching).rejects.toThrow(/does not hash to/);
  });

  it('refuses a name that is not a SHA-256 before opening a store', async () => {
    let opened = false;
    const fetching = downloadBlob(server((r) => r).channel, { sha256: '../x', length: 1 }, () => {
      opened = true;
      return memory();
    });
    await expect(fetching).rejects.toThrow(/is not a SHA-256/);
    expect(opened).toBe(false);
  });
});
