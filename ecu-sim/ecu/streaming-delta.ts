// A delta download into the inactive bank of a dual-bank ECU, applied while it arrives, as a bootloader with a
// streaming patch format does: each TransferData block goes to the delta decoder (decodeStream, which yields
// what the bytes so far determine), and each decoded piece is programmed at once (flash/sector-writer.ts), so at
// RequestTransferExit only the end of the stream and the result's SHA-256 remain. The block is acknowledged
// once it is taken (the decoder and the flash work while the next block is on the bus); a failure is answered at
// RequestTransferExit. The inactive bank's region was invalidated before the first block (its recorded signature
// cleared): whatever a power cut leaves half-written there, only checkMemory over the whole region can make it
// bootable. Memory: the decoder's bound (base, compressed package, one output chunk).
import { decodeStream, DeltaError } from '@ota/delta';
import type { SectorWriter } from '../flash/sector-writer.ts';
import { TransferDecodeError } from '../flash/transfer-decoders.ts';

/** Blocks handed to the decoder as they arrive: an async iterable fed by push(). */
class BlockQueue implements AsyncIterable<Uint8Array> {
  private readonly blocks: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | null = null;

  push(block: Uint8Array): void {
    this.blocks.push(block);
    this.signal();
  }

  end(): void {
    this.ended = true;
    this.signal();
  }

  private signal(): void {
    this.wake?.();
    this.wake = null;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const block = this.blocks.shift();
      if (block) yield block;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

export class StreamingDelta {
  private readonly queue = new BlockQueue();
  private readonly applied: Promise<unknown>;

  /** Starts decoding `size` bytes against `base` (the active image) into `writer`'s region once `after` settled. */
  constructor(
    base: Uint8Array,
    private readonly size: number,
    private readonly writer: SectorWriter,
    after: Promise<unknown>,
  ) {
    // Kept as a value, never left rejected: RequestTransferExit reports it.
    this.applied = this.apply(base, after).then(
      () => null,
      (err: unknown) => err,
    );
  }

  push(block: Uint8Array): void {
    this.queue.push(block);
  }

  /** At RequestTransferExit: the stream ends; resolves once every sector is written and the result checked. */
  async finish(): Promise<void> {
    this.queue.end();
    const failure = await this.applied;
    if (failure !== null) throw failure;
  }

  /** Resolves once the decoder and the writer have stopped: finished, failed or abandoned. */
  async stopped(): Promise<void> {
    await this.applied;
  }

  /**
   * The download was abandoned (session left, reset, S3 expiry): from now on nothing more is written (a write
   * under way finishes). Resolves once the decoder and the writer have stopped.
   */
  abandon(): Promise<void> {
    this.writer.stop();
    this.queue.end();
    return this.stopped();
  }

  private async apply(base: Uint8Array, after: Promise<unknown>): Promise<void> {
    await after; // an abandoned download's last write
    let produced = 0;
    try {
      const opts = { maxResultLength: this.size, outputChunk: this.writer.sectorSize };
      for await (const piece of decodeStream(base, this.queue, opts)) {
        produced += piece.length;
        if (produced > this.size) break; // the declared length was checked; this only guards the writer
        await this.writer.push(piece);
      }
    } catch (err) {
      if (err instanceof DeltaError) throw new TransferDecodeError(`delta stream does not decode: ${err.message}`);
      throw err;
    }
    if (produced !== this.size) {
      throw new TransferDecodeError(
        `delta stream decodes to ${produced} bytes, RequestDownload announced ${this.size}`,
      );
    }
    await this.writer.finish();
  }
}
