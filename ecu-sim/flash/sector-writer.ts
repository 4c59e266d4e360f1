// Writes a region's new content into a bank as it arrives in order (decoded from a compressed or delta download),
// sector by sector: a sector that already holds its new bytes is kept, any other is erased first when the
// bootloader erases on write (eraseOnWrite) and it is not blank, then programmed (each sector a persistent write,
// all of them made durable by one fsync at the end: the bank's region is unsigned until checkMemory, and a write
// a power cut loses is redone by the retry, which compares every sector). Without eraseOnWrite a sector that is
// not erased fails (NotErasedError).
import { ERASED_BYTE, type FlashBank } from './flash-bank.ts';

export interface SectorWriterIo {
  flash: FlashBank;
  sectorSize: number;
  eraseOnWrite: boolean;
  /** Waits the erase time of one sector (the flash controller erasing). */
  eraseDelay: () => Promise<void>;
  /** Called after each sector erase (the power-loss fault counts them). */
  sectorErased: () => void;
}

export class SectorWriter {
  private pending: Uint8Array = new Uint8Array(0);
  private address: number;
  private stopped = false;

  constructor(
    private readonly io: SectorWriterIo,
    start: number,
  ) {
    if (start % io.sectorSize !== 0) throw new RangeError(`0x${start.toString(16)} is not a sector start`);
    this.address = start;
  }

  /** Writes the whole sectors `bytes` completes; keeps the rest for the next piece. */
  async push(bytes: Uint8Array): Promise<void> {
    const data = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const whole = data.length - (data.length % this.io.sectorSize);
    await this.write(data.subarray(0, whole));
    this.pending = data.slice(whole);
  }

  /** Writes what is left (a last sector the content ends inside) and makes every sector written durable. */
  async finish(): Promise<void> {
    await this.write(this.pending);
    this.pending = new Uint8Array(0);
    this.checkRunning();
    await this.io.flash.flush();
  }

  get sectorSize(): number {
    return this.io.sectorSize;
  }

  /** Writes nothing more (the download was abandoned). */
  stop(): void {
    this.stopped = true;
  }

  private async write(data: Uint8Array): Promise<void> {
    const { flash, sectorSize } = this.io;
    let runFrom: number | null = null; // where the run of sectors to program together starts in `data`
    for (let offset = 0; offset < data.length; offset += sectorSize) {
      const address = this.address + offset;
      const wanted = data.subarray(offset, offset + sectorSize);
      const held = flash.read(address, wanted.length);
      if (Buffer.compare(held, wanted) === 0) {
        if (runFrom !== null) await this.program(this.address + runFrom, data.subarray(runFrom, offset));
        runFrom = null;
        continue;
      }
      if (this.io.eraseOnWrite && !held.every((b) => b === ERASED_BYTE)) await this.erase(address);
      runFrom ??= offset;
    }
    if (runFrom !== null) await this.program(this.address + runFrom, data.subarray(runFrom));
    this.address += data.length;
  }

  private async erase(address: number): Promise<void> {
    this.checkRunning();
    await this.io.eraseDelay();
    this.checkRunning();
    await this.io.flash.eraseSector(address);
    this.io.sectorErased();
  }

  private async program(address: number, data: Uint8Array): Promise<void> {
    this.checkRunning();
    await this.io.flash.programSectors(address, data);
  }

  private checkRunning(): void {
    if (this.stopped) throw new Error('the download was abandoned');
  }
}
