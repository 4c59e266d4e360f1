// One bank of an ECU's flash as a file: the regions of the flash layout back to back. Flash semantics: a sector
// must be erased (all 0xFF) before it is programmed; every erase and write goes to the file and is fsync'ed
// before its promise resolves, so what the tester saw acknowledged survives a kill. Writes and fsyncs run off
// the event loop (libuv's thread pool): a slow medium must not hold back the server's 0x78 timer.
import { closeSync, fsync, openSync, readSync, write } from 'node:fs';
import type { FlashLayout, FlashRegion } from '@ota/uds/vehicle';
import type { PowerSupply } from './power.ts';

export const ERASED_BYTE = 0xff;

export class FlashAddressError extends Error {
  override readonly name = 'FlashAddressError';
}

export class NotErasedError extends Error {
  override readonly name = 'NotErasedError';
}

/** Where a logical address range lies in the layout. */
export interface ResolvedRange {
  regionIndex: number;
  region: FlashRegion;
  /** Offset of the range in the bank file. */
  fileOffset: number;
}

/** Maps [address, address+length) to one region; throws FlashAddressError when it is not inside one. */
export function resolveRange(layout: FlashLayout, address: number, length: number): ResolvedRange {
  let fileOffset = 0;
  for (const [regionIndex, region] of layout.regions.entries()) {
    if (address >= region.address && address + length <= region.address + region.size && length >= 0) {
      return { regionIndex, region, fileOffset: fileOffset + (address - region.address) };
    }
    fileOffset += region.size;
  }
  throw new FlashAddressError(
    `0x${address.toString(16)}+${length} is not inside one flash region (${layout.regions
      .map((r) => `0x${r.address.toString(16)}+${r.size}`)
      .join(', ')})`,
  );
}

export function bankSize(layout: FlashLayout): number {
  return layout.regions.reduce((sum, r) => sum + r.size, 0);
}

function fsyncOf(fd: number): Promise<void> {
  return new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Writes all of `data` at `position` of `fd`, then (if `durable`) fsyncs: resolves once it is durable. */
async function writeFully(fd: number, data: Uint8Array, position: number, durable: boolean): Promise<void> {
  let done = 0;
  while (done < data.length) {
    done += await new Promise<number>((resolve, reject) =>
      write(fd, data, done, data.length - done, position + done, (err, n) => (err ? reject(err) : resolve(n))),
    );
  }
  if (durable) await fsyncOf(fd);
}

export class FlashBank {
  private fd: number | null;
  /** Writes under way: close() waits for them, so a write never lands on a reused descriptor. */
  private writing = 0;
  private closeRequested = false;

  constructor(
    readonly file: string,
    private readonly layout: FlashLayout,
    private readonly power: PowerSupply,
    private readonly writeDelayMs: () => number = () => 0,
  ) {
    this.fd = openSync(file, 'r+');
  }

  private handle(): number {
    if (this.fd === null) throw new Error(`flash bank ${this.file} is closed`);
    return this.fd;
  }

  read(address: number, length: number): Uint8Array {
    const { fileOffset } = resolveRange(this.layout, address, length);
    return this.readAt(fileOffset, length);
  }

  /** The whole content of one region. */
  readRegion(regionIndex: number): Uint8Array {
    const region = this.layout.regions[regionIndex];
    if (!region) throw new FlashAddressError(`no flash region ${regionIndex}`);
    return this.read(region.address, region.size);
  }

  private readAt(fileOffset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.handle(), out, done, length - done, fileOffset + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  }

  isErased(address: number, length: number): boolean {
    return this.read(address, length).every((b) => b === ERASED_BYTE);
  }

  /** Erases the sector that starts at `address`. */
  async eraseSector(address: number): Promise<void> {
    const size = this.layout.sectorSize;
    if (address % size !== 0) throw new FlashAddressError(`0x${address.toString(16)} is not a sector start`);
    const { fileOffset } = resolveRange(this.layout, address, size);
    await this.writeAt(fileOffset, new Uint8Array(size).fill(ERASED_BYTE), 'erase');
  }

  /** Programs erased memory; throws NotErasedError (and writes nothing) when any target byte is not erased. */
  async program(address: number, data: Uint8Array): Promise<void> {
    const { fileOffset } = resolveRange(this.layout, address, data.length);
    const current = this.readAt(fileOffset, data.length);
    const dirty = current.findIndex((b) => b !== ERASED_BYTE);
    if (dirty >= 0) throw new NotErasedError(`0x${(address + dirty).toString(16)} is not erased`);
    await this.writeAt(fileOffset, data, 'program');
  }

  /**
   * Programs erased sectors one after the other, each a persistent write of its own (a power cut between two
   * leaves the first programmed), not yet made durable: flush() does that for all of them. For content written as
   * it is decoded into a bank no signature vouches for (yet), where a write lost to a power cut is redone by the
   * retry. Throws NotErasedError (and writes nothing) when any target byte is not erased.
   */
  async programSectors(address: number, data: Uint8Array): Promise<void> {
    const { fileOffset } = resolveRange(this.layout, address, data.length);
    const dirty = this.readAt(fileOffset, data.length).findIndex((b) => b !== ERASED_BYTE);
    if (dirty >= 0) throw new NotErasedError(`0x${(address + dirty).toString(16)} is not erased`);
    const sector = this.layout.sectorSize;
    for (let at = 0; at < data.length; at += sector) {
      await this.writeAt(fileOffset + at, data.subarray(at, at + sector), 'program', false);
    }
  }

  /** Makes every write so far durable (programSectors'). */
  async flush(): Promise<void> {
    await this.track(fsyncOf(this.handle()));
  }

  /** Writes regardless of the erased state; resolves once the data is durable (and the slow-medium delay passed). */
  private async writeAt(
    fileOffset: number,
    data: Uint8Array,
    write: 'erase' | 'program',
    durable = true,
  ): Promise<void> {
    this.power.assertOn(write);
    const delay = this.writeDelayMs();
    await this.track(
      Promise.all([
        writeFully(this.handle(), data, fileOffset, durable),
        delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : null,
      ]),
    );
  }

  /** Waits for `io` on the file; close() waits for every one under way. */
  private async track(io: Promise<unknown>): Promise<void> {
    this.writing++;
    try {
      await io;
    } finally {
      this.writing--;
      if (this.writing === 0 && this.closeRequested) this.close();
    }
  }

  /** Closes the file now, or when the writes under way have finished. */
  close(): void {
    this.closeRequested = true;
    if (this.writing > 0 || this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
