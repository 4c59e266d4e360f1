// The receiving side of decodeStream: routes a package's bytes to its streams (control, reference map,
// diff, extra) as they arrive, so decoding starts before the last byte is in (a bootloader rebuilding
// its image while TransferData blocks still come). Memory: the compressed package, as before.
import { createBrotliDecompress } from 'node:zlib';
import type { BrotliDecompress } from 'node:zlib';
import { checkHeader } from './checks.ts';
import type { DecodeOptions } from './checks.ts';
import { DeltaError } from './errors.ts';
import { MAX_HEADER_LENGTH, readHeader } from './format.ts';
import type { PackageHeader } from './format.ts';

export type PackageSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
export type StreamName = 'control' | 'refMap' | 'diff' | 'extra';
const ORDER: readonly StreamName[] = ['control', 'refMap', 'diff', 'extra'];

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {}); // whoever awaits it sees the rejection; nobody awaiting is no error
  return { promise, resolve, reject };
}

/** One stream's bytes: where it lies in the body, what arrived, and a decompressor fed as they arrive. */
class StreamPart {
  readonly parts: Uint8Array[] = [];
  received = 0;
  sink: BrotliDecompress | null = null;
  readonly whole = deferred<Uint8Array>();

  constructor(
    readonly start: number,
    readonly length: number,
  ) {}

  get complete(): boolean {
    return this.received === this.length;
  }

  /** Takes the part of body bytes [at, at + bytes.length) that belongs to this stream. */
  take(bytes: Uint8Array, at: number): void {
    const from = Math.max(this.start, at);
    const to = Math.min(this.start + this.length, at + bytes.length);
    if (to <= from) return;
    const piece = bytes.slice(from - at, to - at);
    this.parts.push(piece);
    this.received += piece.length;
    if (this.sink && !this.sink.destroyed) this.sink.write(piece);
    if (this.complete) this.finish();
  }

  finish(): void {
    this.whole.resolve(Buffer.concat(this.parts));
    if (this.sink && !this.sink.destroyed) this.sink.end();
  }
}

export class PackageFeed {
  private readonly headerReady = deferred<PackageHeader>();
  private parts: Map<StreamName, StreamPart> | null = null;
  private closed = false;
  /** Why the package was refused while it arrived (a wrong base, truncated, too long), once it was. */
  failure: unknown = undefined;
  /** Resolves once the whole package arrived with its declared length. */
  readonly done: Promise<void>;

  constructor(
    private readonly old: Uint8Array,
    pkg: PackageSource,
    private readonly opts: DecodeOptions,
  ) {
    this.done = this.pump(pkg).catch((err: unknown) => this.fail(err));
    this.done.catch(() => {});
  }

  get header(): Promise<PackageHeader> {
    return this.headerReady.promise;
  }

  /** The stream's compressed bytes, once all of them arrived. */
  whole(name: StreamName): Promise<Uint8Array> {
    return this.part(name).whole.promise;
  }

  /** A brotli decompressor of the stream, fed what arrived so far and then the rest as it arrives. */
  decompressor(name: StreamName): BrotliDecompress {
    const part = this.part(name);
    if (part.sink) throw new Error(`${name} stream already has a decompressor`);
    const sink = createBrotliDecompress({ chunkSize: 64 * 1024 });
    part.sink = sink;
    if (this.failure !== undefined) {
      sink.destroy(this.failure as Error);
      return sink;
    }
    for (const piece of part.parts) sink.write(piece);
    if (part.complete) sink.end();
    return sink;
  }

  /** Stops reading the package (the decoder ended early) and drops the decompressors. */
  close(): void {
    this.closed = true;
    for (const part of this.parts?.values() ?? []) part.sink?.destroy();
  }

  private part(name: StreamName): StreamPart {
    const part = this.parts?.get(name);
    if (!part) throw new Error('the package header has not been read yet');
    return part;
  }

  private fail(err: unknown): never {
    this.failure ??= err;
    this.headerReady.reject(err);
    for (const part of this.parts?.values() ?? []) {
      part.whole.reject(err);
      part.sink?.destroy(err as Error);
    }
    throw err;
  }

  /** Reads the package: the header first (refusing a wrong base before any body byte is kept), then the body. */
  private async pump(pkg: PackageSource): Promise<void> {
    let head = new Uint8Array(0);
    let header: PackageHeader | undefined;
    let bodyLength = 0;
    for await (const chunk of pkg) {
      if (this.closed) return;
      let rest = chunk;
      if (!header) {
        head = Buffer.concat([head, chunk]);
        header = headerSoFar(head);
        if (!header) continue;
        checkHeader(header, this.old, this.opts);
        this.start(header);
        rest = head.subarray(header.headerLength);
      }
      if (bodyLength + rest.length > header.packageLength - header.headerLength) {
        throw new DeltaError('corrupt', `package continues past its declared length of ${header.packageLength} bytes`);
      }
      for (const part of this.parts!.values()) part.take(rest, bodyLength);
      bodyLength += rest.length;
    }
    // A package cut inside its header: reports a foreign or unsupported one as such, else as truncated.
    header ??= readHeader(head);
    if (header.headerLength + bodyLength < header.packageLength) {
      throw new DeltaError(
        'truncated',
        `package is ${header.headerLength + bodyLength} bytes, its header declares ${header.packageLength}`,
      );
    }
  }

  private start(header: PackageHeader): void {
    const parts = new Map<StreamName, StreamPart>();
    let at = 0;
    for (const name of ORDER) {
      const part = new StreamPart(at, header.streams[name]);
      if (part.length === 0) part.finish();
      parts.set(name, part);
      at += part.length;
    }
    this.parts = parts;
    this.headerReady.resolve(header);
  }
}

/** The header, or undefined while `head` may still be too short to hold it. */
function headerSoFar(head: Uint8Array): PackageHeader | undefined {
  try {
    return readHeader(head);
  } catch (err) {
    if (err instanceof DeltaError && err.code === 'truncated' && head.length < MAX_HEADER_LENGTH) return undefined;
    throw err;
  }
}
