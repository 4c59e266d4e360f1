// The vehicle side of a blob download (delta package or image) over MQTT: ask for the byte ranges still
// missing, a window at a time, and ask again for what is missing after a stall, until every byte arrived.
// The length is known from signed metadata before the download: a server naming another length is refused,
// and the whole blob must hash to the expected SHA-256 before anyone uses it. Where the bytes go is the
// caller's DownloadStore: files that survive a restart on the gateway, memory in the fleet simulator.
import { randomBytes } from 'node:crypto';
import type { ChunkFrame } from '../messages/chunk-frame.ts';
import { MAX_RANGES_PER_REQUEST } from '../messages/payloads.ts';
import { sha256Hex } from '../tuf/bytes.ts';
import { missing, normalize, receivedBytes, split, type ByteRange } from './byte-ranges.ts';

export interface ChunkChannel {
  requestChunks(requestId: string, sha256: string, ranges: ByteRange[]): Promise<void>;
  onChunk(listener: (frame: ChunkFrame) => void): () => void;
}

/** Where the bytes of one blob go while it downloads. */
export interface DownloadStore {
  /** The ranges that arrived before (a resumed download asks only for the rest). */
  readonly resumed: readonly ByteRange[];
  /** Keeps `data` at `offset`; `received` is every range received so far, this one included. */
  save(offset: number, data: Uint8Array, received: readonly ByteRange[]): void;
  /** Ends this attempt; what arrived stays for the next one. */
  close(): void;
  /** The whole blob once every byte arrived (after close); the store forgets it either way. */
  take(): Uint8Array;
}

export interface DownloadOptions {
  /** Bytes per requested range. */
  chunkSize?: number;
  /** Ranges asked for at once. */
  window?: number;
  /**
   * Re-ask for what is missing after this long without progress, counted from when the transport answered
   * for the request (acknowledged or refused it); a request it has not answered for this long is asked again.
   */
  stallMs?: number;
  /** Give up after this many stalls in a row (a request the transport never answered for is none). */
  maxStalls?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Ends the download at once (the vehicle stops): no further request is sent; what arrived is kept. */
  signal?: AbortSignal;
}

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
}

interface Blob {
  readonly sha256: string;
  readonly length: number;
}

/** Downloads `blob` into the store `open` returns, and returns its bytes once they hash to `blob.sha256`. */
export async function downloadBlob(
  channel: ChunkChannel,
  blob: Blob,
  open: () => DownloadStore,
  options: DownloadOptions = {},
): Promise<Uint8Array> {
  if (!/^[0-9a-f]{64}$/.test(blob.sha256)) throw new DownloadError(`"${blob.sha256}" is not a SHA-256`);
  const store = open();
  const download = new RangeDownload(channel, blob, store, options);
  try {
    await download.run();
  } finally {
    download.end();
    store.close();
  }
  const bytes = store.take();
  if (sha256Hex(bytes) !== blob.sha256)
    throw new DownloadError(`the downloaded blob does not hash to ${blob.sha256}; it was discarded`);
  return bytes;
}

type AskOutcome = 'progressed' | 'stalled' | 'unanswered';

/** One attempt's request loop: which ranges are missing, who asked for them, when to ask again. */
class RangeDownload {
  #received: ByteRange[];
  readonly #ours = new Set<string>();
  #wake: (() => void) | null = null;
  #failure: Error | null = null;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly channel: ChunkChannel,
    private readonly blob: Blob,
    private readonly store: DownloadStore,
    private readonly options: DownloadOptions,
  ) {
    this.#received = [...store.resumed];
    this.#unsubscribe = channel.onChunk((frame) => this.#onChunk(frame));
  }

  #onChunk({ header, data }: ChunkFrame): void {
    const { sha256, length } = this.blob;
    if (header.sha256 !== sha256 || !this.#ours.has(header.requestId)) return;
    if (header.totalLength !== length) {
      this.#failure = new DownloadError(
        `the server says ${sha256} is ${header.totalLength} bytes, the signed metadata ${length}`,
      );
    } else {
      const received = normalize([...this.#received, { offset: header.offset, length: header.length }]);
      this.store.save(header.offset, data, received);
      this.#received = received;
      this.options.onProgress?.(receivedBytes(this.#received), length);
    }
    this.#wake?.();
  }

  async run(): Promise<void> {
    const { chunkSize = 64 * 1024, window = 8, maxStalls = 12, signal } = this.options;
    let stalls = 0;
    for (;;) {
      this.#throwIfStopped(signal);
      const todo = split(missing(this.#received, this.blob.length), chunkSize).slice(
        0,
        Math.min(window, MAX_RANGES_PER_REQUEST),
      );
      if (todo.length === 0) return;
      const outcome = await this.#ask(todo);
      this.#throwIfStopped(signal);
      if (this.#failure) throw this.#failure;
      if (outcome !== 'unanswered') stalls = outcome === 'progressed' ? 0 : stalls + 1;
      if (stalls >= maxStalls) throw new DownloadError(`no data for ${this.blob.sha256} after ${stalls} attempts`);
    }
  }

  end(): void {
    this.#unsubscribe();
  }

  #throwIfStopped(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new DownloadError(`the download of ${this.blob.sha256} was stopped`);
  }

  /**
   * Asks for `todo` and waits: 'progressed' once it all arrived (or the download failed) or when some of it
   * came; 'stalled' when none came within stallMs of the transport answering for the request (the broker
   * has it: data is due from then); 'unanswered' when the transport did not answer within stallMs (the
   * broker is down, or the request was lost in a reconnect), which is no stall: waiting for an answer that
   * may never come would hang the download, and counting it would give up during a broker restart.
   */
  #ask(todo: ByteRange[]): Promise<AskOutcome> {
    const { stallMs = 5000, signal } = this.options;
    const requestId = randomBytes(9).toString('base64url');
    this.#ours.add(requestId);
    const before = receivedBytes(this.#received);
    const target = todo.reduce((n, r) => n + r.length, 0);
    return new Promise<AskOutcome>((resolve) => {
      let answered = false;
      let settled = false;
      const done = (outcome: AskOutcome) => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', stopped);
        this.#wake = null;
        resolve(outcome);
      };
      const stopped = () => done('stalled');
      const expired = () => {
        if (receivedBytes(this.#received) > before) done('progressed');
        else done(answered ? 'stalled' : 'unanswered');
      };
      let timer = setTimeout(expired, stallMs);
      const onAnswer = () => {
        if (settled) return;
        answered = true;
        clearTimeout(timer);
        timer = setTimeout(expired, stallMs);
      };
      this.#wake = () => {
        const got = receivedBytes(this.#received);
        if (this.#failure || got - before >= target || missing(this.#received, this.blob.length).length === 0)
          done('progressed');
      };
      signal?.addEventListener('abort', stopped);
      if (signal?.aborted) stopped();
      else this.channel.requestChunks(requestId, this.blob.sha256, todo).then(onAnswer, onAnswer);
    });
  }
}
