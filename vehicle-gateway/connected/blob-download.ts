// The gateway's downloads persist what arrived (`downloads/<sha256>.part` and `.ranges.json`), so a disconnect
// or a restart resumes where it stopped. The request loop and the hash check are protocol/download's.
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
import {
  downloadBlob,
  type ByteRange,
  type ChunkChannel,
  type DownloadOptions,
  type DownloadStore,
} from '@ota/protocol/download';
import { writeFileAtomic } from '../journal/atomic-file.ts';

/** One blob's part file and the list of its ranges received, in `dir`. */
class FileDownloadStore implements DownloadStore {
  readonly resumed: readonly ByteRange[];
  readonly #part: string;
  readonly #rangesFile: string;
  readonly #fd: number;

  constructor(dir: string, sha256: string, length: number) {
    mkdirSync(dir, { recursive: true });
    this.#part = join(dir, `${sha256}.part`);
    this.#rangesFile = join(dir, `${sha256}.ranges.json`);
    const resuming = existsSync(this.#part);
    this.resumed =
      resuming && existsSync(this.#rangesFile)
        ? (JSON.parse(readFileSync(this.#rangesFile, 'utf8')) as ByteRange[])
        : [];
    this.#fd = openSync(this.#part, resuming ? 'r+' : 'w+');
    try {
      ftruncateSync(this.#fd, length);
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
  }

  save(offset: number, data: Uint8Array, received: readonly ByteRange[]): void {
    let done = 0;
    while (done < data.length) done += writeSync(this.#fd, data, done, data.length - done, offset + done);
    fsyncSync(this.#fd);
    writeFileAtomic(this.#rangesFile, JSON.stringify(received));
  }

  close(): void {
    closeSync(this.#fd);
  }

  take(): Uint8Array {
    const bytes = new Uint8Array(readFileSync(this.#part));
    rmSync(this.#part, { force: true });
    rmSync(this.#rangesFile, { force: true });
    return bytes;
  }
}

export class BlobDownloader {
  constructor(
    private readonly dir: string,
    private readonly channel: ChunkChannel,
    private readonly options: DownloadOptions = {},
  ) {}

  fetch(sha256: string, length: number): Promise<Uint8Array> {
    return downloadBlob(
      this.channel,
      { sha256, length },
      () => new FileDownloadStore(this.dir, sha256, length),
      this.options,
    );
  }
}
