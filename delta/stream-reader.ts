import type { BrotliDecompress } from 'node:zlib';
import { DeltaError } from './errors.ts';

/** Pulls decompressed bytes from a brotli stream in pieces of a requested maximum size. */
export class StreamReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private chunk: Uint8Array = new Uint8Array(0);
  private offset = 0;

  constructor(
    private readonly stream: BrotliDecompress,
    private readonly what: string,
  ) {
    // Errors are reported through the iterator; this keeps an early error from being unhandled.
    stream.on('error', () => {});
    this.chunks = stream[Symbol.asyncIterator]();
  }

  /** Between 1 and `max` bytes; a view valid until the next call. */
  async take(max: number): Promise<Uint8Array> {
    while (this.offset >= this.chunk.length) {
      const next = await this.pull();
      if (next === undefined) throw new DeltaError('corrupt', `${this.what} stream is shorter than the package needs`);
      this.chunk = next;
      this.offset = 0;
    }
    const n = Math.min(max, this.chunk.length - this.offset);
    const view = this.chunk.subarray(this.offset, this.offset + n);
    this.offset += n;
    return view;
  }

  async expectEnd(): Promise<void> {
    if (this.offset < this.chunk.length) throw new DeltaError('corrupt', `${this.what} stream holds unused bytes`);
    for (let next = await this.pull(); next !== undefined; next = await this.pull()) {
      if (next.length > 0) throw new DeltaError('corrupt', `${this.what} stream holds unused bytes`);
    }
  }

  close(): void {
    this.stream.destroy();
  }

  private async pull(): Promise<Uint8Array | undefined> {
    try {
      const r = await this.chunks.next();
      return r.done ? undefined : r.value;
    } catch (err) {
      throw new DeltaError('corrupt', `${this.what} stream is not valid brotli data`, { cause: err });
    }
  }
}
