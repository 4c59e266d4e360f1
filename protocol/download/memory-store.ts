// A download kept in memory: for a simulated vehicle, which has no restart to survive.
import type { ByteRange } from './byte-ranges.ts';
import type { DownloadStore } from './download-blob.ts';

export class MemoryDownloadStore implements DownloadStore {
  readonly resumed: readonly ByteRange[] = [];
  #bytes: Uint8Array;

  constructor(length: number) {
    this.#bytes = new Uint8Array(length);
  }

  save(offset: number, data: Uint8Array): void {
    this.#bytes.set(data, offset);
  }

  close(): void {}

  take(): Uint8Array {
    const bytes = this.#bytes;
    this.#bytes = new Uint8Array(0);
    return bytes;
  }
}
