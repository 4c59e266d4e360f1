// Downloads a blob (delta package or image) in byte-range chunks over MQTT, persisting what arrived
// (`downloads/<sha256>.part` and `.ranges.json`), so a disconnect or a restart resumes where it stopped.
// The length is known from signed metadata before the download: nothing beyond it is accepted, and the whole
// blob must hash to the expected SHA-256 before anyone uses it.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ChunkFrame } from '../../protocol/index.ts';
import { MAX_RANGES_PER_REQUEST } from '../../protocol/index.ts';
import { sha256Hex } from '../flash/image.ts';
import { writeFileAtomic } from '../journal/atomic-file.ts';
import { missing, normalize, receivedBytes, split, type ByteRange } from './byte-ranges.ts';

export interface ChunkChannel {
  requestChunks(requestId: string, sha256: string, ranges: ByteRange[]): Promise<void>;
  onChunk(listener: (frame: ChunkFrame) => void): () => void;
}

export interface DownloadOptions {
  chunkSize?: number;
  /** Ranges asked for at once. */
  window?: number;
  /** Re-ask for what is missing after this long without progress. */
  stallMs?: number;
  /** Give up after this many stalls in a row. */
  maxStalls?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Ends the download at once (the gateway stops): no further request is sent; what arrived is kept. */
  signal?: AbortSignal;
}

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
}

export class BlobDownloader {
  constructor(
    private readonly dir: string,
    private readonly channel: ChunkChannel,
    private readonly options: DownloadOptions = {},
  ) {}

  async fetch(sha256: string, length: number): Promise<Uint8Array> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new DownloadError(`"${sha256}" is not a SHA-256`);
    mkdirSync(this.dir, { recursive: true });
    const part = join(this.dir, `${sha256}.part`);
    const rangesFile = join(this.dir, `${sha256}.ranges.json`);
    let received: ByteRange[] =
      existsSync(rangesFile) && existsSync(part) ? (JSON.parse(readFileSync(rangesFile, 'utf8')) as ByteRange[]) : [];
    const fd = openSync(part, existsSync(part) ? 'r+' : 'w+');
    const chunkSize = this.options.chunkSize ?? 64 * 1024;
    const window = Math.min(this.options.window ?? 8, MAX_RANGES_PER_REQUEST);
    const stallMs = this.options.stallMs ?? 5000;
    const maxStalls = this.options.maxStalls ?? 12;
    const signal = this.options.signal;
    const ours = new Set<string>();
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    const unsubscribe = this.channel.onChunk(({ header, data }) => {
      if (header.sha256 !== sha256 || !ours.has(header.requestId)) return;
      if (header.totalLength !== length) {
        failure = new DownloadError(
          `the server says ${sha256} is ${header.totalLength} bytes, the signed metadata ${length}`,
        );
      } else {
        let done = 0;
        while (done < data.length) done += writeSync(fd, data, done, data.length - done, header.offset + done);
        fsyncSync(fd);
        received = normalize([...received, { offset: header.offset, length: header.length }]);
        writeFileAtomic(rangesFile, JSON.stringify(received));
        this.options.onProgress?.(receivedBytes(received), length);
      }
      wake?.();
    });
    try {
      ftruncateSync(fd, length);
      let stalls = 0;
      for (;;) {
        if (signal?.aborted) throw new DownloadError(`the download of ${sha256} was stopped`);
        const todo = split(missing(received, length), chunkSize).slice(0, window);
        if (todo.length === 0) break;
        const requestId = randomBytes(9).toString('base64url');
        ours.add(requestId);
        const before = receivedBytes(received);
        await this.channel.requestChunks(requestId, sha256, todo).catch(() => undefined);
        const target = todo.reduce((n, r) => n + r.length, 0);
        const progressed = await new Promise<boolean>((resolve) => {
          const done = (value: boolean) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', stopped);
            resolve(value);
          };
          const stopped = () => done(false);
          const timer = setTimeout(() => done(receivedBytes(received) > before), stallMs);
          signal?.addEventListener('abort', stopped);
          if (signal?.aborted) stopped();
          wake = () => {
            if (failure || receivedBytes(received) - before >= target || missing(received, length).length === 0) {
              done(true);
            }
          };
        });
        wake = null;
        if (signal?.aborted) throw new DownloadError(`the download of ${sha256} was stopped`);
        if (failure) throw failure;
        stalls = progressed ? 0 : stalls + 1;
        if (stalls >= maxStalls) throw new DownloadError(`no data for ${sha256} after ${stalls} attempts`);
      }
    } finally {
      unsubscribe();
      closeSync(fd);
    }
    const bytes = new Uint8Array(readFileSync(part));
    rmSync(part, { force: true });
    rmSync(rangesFile, { force: true });
    if (sha256Hex(bytes) !== sha256)
      throw new DownloadError(`the downloaded blob does not hash to ${sha256}; it was discarded`);
    return bytes;
  }
}
