// The bootloader's reprogramming functions: eraseMemory, RequestDownload / TransferData / RequestTransferExit,
// checkMemory, checkProgrammingDependencies and the dual-bank routines. Each one validates its input completely
// before it changes anything, and persists flash and state before it answers.
import { NegativeResponse, nextBlockSequenceCounter, NRC, SIGNATURE_LENGTH, type MemoryRange } from '@ota/uds';
import type { EcuFaults } from '../faults/ecu-faults.ts';
import { otherBank, type BankName } from '../flash/ecu-state.ts';
import { FlashAddressError, NotErasedError, resolveRange } from '../flash/flash-bank.ts';
import { PowerLostError, type PowerSupply } from '../flash/power.ts';
import { SectorWriter } from '../flash/sector-writer.ts';
import type { EcuMemory } from './ecu-memory.ts';
import {
  inPlaceDownloadRefusal,
  InPlaceRefusedError,
  resumeInPlaceUpdate,
  startInPlaceUpdate,
} from './in-place-update.ts';
import { StreamingDelta } from './streaming-delta.ts';
import {
  decodeTransfer,
  TransferDecodeError,
  transferEncodingOf,
  type TransferEncoding,
} from '../flash/transfer-decoders.ts';

type DownloadState =
  | { kind: 'idle' }
  | {
      kind: 'active';
      bank: BankName;
      regionIndex: number;
      nextAddress: number;
      end: number;
      /** The counter the next new block must carry. */
      expectedBsc: number;
      /** The counter of the last block written (a repeat of it is acknowledged, not written again). */
      lastBsc: number | null;
      /**
       * A compressed transfer collects its stream here and decodes it at RequestTransferExit; a delta into the
       * inactive bank is applied while it arrives instead (`streaming`, its chunks left empty).
       */
      compressed: {
        encoding: Exclude<TransferEncoding, 'none'>;
        start: number;
        size: number;
        chunks: Uint8Array[];
        received: number;
        streaming: StreamingDelta | null;
      } | null;
    };

/** A compressed stream longer than this many times the announced size (plus 64 KiB) is refused. */
const MAX_COMPRESSED_FACTOR = 2;

export interface ProgrammingOptions {
  maxBlockLength: number;
  sleep: (ms: number) => Promise<void>;
}

export class Programming {
  private download: DownloadState = { kind: 'idle' };
  /** The region the last erase, download or copy touched: the one checkMemory verifies. */
  private lastRegion: { bank: BankName; regionIndex: number } | null = null;
  /** False once this power cycle erased or wrote the bank the application runs from (single-bank). */
  private runningImageIntact = true;
  /** An in-place update a power cut interrupted, finishing at power-on: flash operations wait for it. */
  private resuming: Promise<unknown> = Promise.resolve();
  /** A streamed download a session change or reset abandoned, stopping: flash operations wait for it too. */
  private abandoned: Promise<void> = Promise.resolve();
  /** Every streamed download's writer until it stopped (finished, failed or abandoned). */
  private readonly writers = new Set<Promise<void>>();

  constructor(
    private readonly memory: EcuMemory,
    private readonly faults: EcuFaults,
    private readonly power: PowerSupply,
    private readonly options: ProgrammingOptions,
  ) {}

  get applicationImageIntact(): boolean {
    return this.runningImageIntact;
  }

  /** Leaving the programming session abandons a download in progress (a streamed one stops writing). */
  reset(): void {
    const streaming = this.download.kind === 'active' ? this.download.compressed?.streaming : null;
    if (streaming) this.abandoned = streaming.abandon();
    this.download = { kind: 'idle' };
    this.lastRegion = null;
  }

  /** Resolves once no streamed download's writer runs (an abandoned one's last write under way finished). */
  async settled(): Promise<void> {
    await Promise.all(this.writers);
  }

  /** Flash operations start once an interrupted in-place update finished and an abandoned download stopped. */
  private flashFree(): Promise<unknown> {
    return Promise.all([this.resuming, this.abandoned]);
  }

  /** After a reset the boot decides anew what runs. */
  powerOnReset(): void {
    this.reset();
    this.runningImageIntact = true;
  }

  private locate(range: MemoryRange, what: string): { regionIndex: number } {
    try {
      return resolveRange(this.memory.ecu.flash, range.address, range.size);
    } catch (err) {
      if (err instanceof FlashAddressError)
        throw new NegativeResponse(NRC.requestOutOfRange, `${what}: ${err.message}`);
      throw err;
    }
  }

  private checkSectorAligned(range: MemoryRange, what: string): void {
    const sector = this.memory.ecu.flash.sectorSize;
    if (range.size === 0 || range.address % sector !== 0 || range.size % sector !== 0) {
      throw new NegativeResponse(NRC.requestOutOfRange, `${what}: range must be whole sectors of ${sector} bytes`);
    }
  }

  private touchTarget(regionIndex: number): BankName {
    const bank = this.memory.targetBank;
    if (bank === this.memory.state.activeBank) this.runningImageIntact = false;
    this.lastRegion = { bank, regionIndex };
    return bank;
  }

  /**
   * A download into the inactive bank makes it the bank the next boot tries (if checkMemory signs it). FF00 and
   * eraseOnWrite mark it themselves; a download into sectors 0207 erased before the session needs it here.
   */
  private markPendingImage(bank: BankName, regionIndex: number): void {
    const s = this.memory.state;
    if (!this.memory.dualBank || bank === s.activeBank) return;
    if (s.pending?.bank === bank && s.pending.kind === 'newImage' && s.signatures[bank][regionIndex] === null) return;
    this.memory.update((draft) => {
      draft.signatures[bank][regionIndex] = null;
      draft.pending = { bank, kind: 'newImage' };
    });
  }

  /** At power-on: resumes an interrupted in-place update (in-place-update.ts); resolves true when one finished. */
  resumeInPlace(): Promise<boolean> {
    // Whatever stops it (a power cut, a damaged record), the region stays unsigned: the ECU stays in its bootloader.
    const resumed = resumeInPlaceUpdate(this.inPlaceIo()).catch(() => false);
    this.resuming = resumed;
    return resumed;
  }

  private inPlaceIo() {
    return { memory: this.memory, store: this.memory.inPlace, ...this.eraseTiming() };
  }

  /** The erase time of one sector (the server answers 0x78 meanwhile) and the power-loss fault after each erase. */
  private eraseTiming() {
    const perSectorMs = () => this.faults.eraseTimePerSectorMs(this.memory.ecu.flash.eraseTimePerSectorMs);
    return {
      eraseDelay: () => (perSectorMs() > 0 ? this.options.sleep(perSectorMs()) : Promise.resolve()),
      sectorErased: () => {
        if (this.faults.sectorErased()) this.loseOwnPower();
      },
    };
  }

  /** Routine FF00. Takes the layout's erase time per sector (the server answers 0x78 meanwhile). */
  async erase(range: MemoryRange): Promise<void> {
    await this.flashFree();
    const { regionIndex } = this.locate(range, 'eraseMemory');
    this.checkSectorAligned(range, 'eraseMemory');
    if (this.download.kind === 'active') throw new NegativeResponse(NRC.conditionsNotCorrect, 'a download is active');
    const bank = this.touchTarget(regionIndex);
    // Invalidate first: a power loss during the erase must never leave a signature on a half-erased region.
    this.memory.update((s) => {
      s.signatures[bank][regionIndex] = null;
      if (this.memory.dualBank) s.pending = { bank, kind: 'newImage' };
    });
    const sectorSize = this.memory.ecu.flash.sectorSize;
    const perSectorMs = this.faults.eraseTimePerSectorMs(this.memory.ecu.flash.eraseTimePerSectorMs);
    for (let address = range.address; address < range.address + range.size; address += sectorSize) {
      if (perSectorMs > 0) await this.options.sleep(perSectorMs);
      await this.memory.bank(bank).eraseSector(address);
      if (this.faults.sectorErased()) this.loseOwnPower();
    }
  }

  /**
   * Routine 0207 (dual-bank, read-while-write): erases the sectors of `range` in the inactive bank that are not
   * blank, while the application keeps running from the active bank. The region is invalidated first (and a
   * pending activation of that bank dropped), so a power cut at any point boots the active bank, and a repeat
   * erases what is left. A later download rewrites into the erased sectors without erasing them again. Refused
   * while the active bank is unconfirmed: the inactive bank is then the automatic fallback.
   */
  async eraseInactiveBank(range: MemoryRange): Promise<void> {
    await this.flashFree();
    const { regionIndex } = this.locate(range, 'eraseInactiveBank');
    this.checkSectorAligned(range, 'eraseInactiveBank');
    if (this.memory.state.unconfirmedBoots !== null) {
      throw new NegativeResponse(
        NRC.conditionsNotCorrect,
        'the active bank is unconfirmed: the inactive one is its fallback',
      );
    }
    const bank = otherBank(this.memory.state.activeBank);
    this.memory.update((s) => {
      s.signatures[bank][regionIndex] = null;
      if (s.pending?.bank === bank) s.pending = null;
    });
    const flash = this.memory.bank(bank);
    const sectorSize = this.memory.ecu.flash.sectorSize;
    const perSectorMs = this.faults.eraseTimePerSectorMs(this.memory.ecu.flash.eraseTimePerSectorMs);
    for (let address = range.address; address < range.address + range.size; address += sectorSize) {
      if (flash.isErased(address, sectorSize)) continue;
      if (perSectorMs > 0) await this.options.sleep(perSectorMs);
      await flash.eraseSector(address);
      if (this.faults.sectorErased()) this.loseOwnPower();
    }
  }

  private loseOwnPower(): never {
    this.power.cut();
    throw new PowerLostError();
  }

  requestDownload(range: MemoryRange, dataFormatIdentifier: number): number {
    const compression = dataFormatIdentifier >> 4;
    const encryption = dataFormatIdentifier & 0x0f;
    const declared = this.memory.ecu.flash.compressionMethods.find((m) => m.id === compression);
    const encoding = declared ? transferEncodingOf(declared.name) : null;
    if (encoding === null) {
      // Undeclared, or declared under a name this simulator has no decoder for.
      throw new NegativeResponse(NRC.requestOutOfRange, `compression method ${compression} not supported`);
    }
    if (encryption !== 0)
      throw new NegativeResponse(NRC.requestOutOfRange, `encryption method ${encryption} not supported`);
    const { regionIndex } = this.locate(range, 'RequestDownload');
    if (range.size === 0) throw new NegativeResponse(NRC.requestOutOfRange, 'RequestDownload of 0 bytes');
    const refusal = encoding === 'delta-in-place' ? inPlaceDownloadRefusal(this.memory, range) : null;
    if (refusal !== null) throw new NegativeResponse(NRC.requestOutOfRange, refusal);
    if (this.download.kind === 'active') throw new NegativeResponse(NRC.conditionsNotCorrect, 'a download is active');
    const bank = this.touchTarget(regionIndex);
    this.markPendingImage(bank, regionIndex);
    this.download = {
      kind: 'active',
      bank,
      regionIndex,
      nextAddress: range.address,
      end: range.address + range.size,
      expectedBsc: 0x01,
      lastBsc: null,
      compressed:
        encoding === 'none'
          ? null
          : {
              encoding,
              start: range.address,
              size: range.size,
              chunks: [],
              received: 0,
              streaming: encoding === 'delta' ? this.streamingDelta(bank, regionIndex, range) : null,
            },
    };
    return this.options.maxBlockLength;
  }

  /**
   * A delta into the inactive bank (its region already invalidated by markPendingImage) is applied while it
   * arrives (streaming-delta.ts); a single-bank one, or one not starting on a sector, is decoded at `37`.
   */
  private streamingDelta(bank: BankName, regionIndex: number, range: MemoryRange): StreamingDelta | null {
    if (bank === this.memory.state.activeBank || range.address % this.memory.ecu.flash.sectorSize !== 0) return null;
    const base = this.memory.bank(this.memory.state.activeBank).readRegion(regionIndex);
    const streaming = new StreamingDelta(base, range.size, this.sectorWriter(bank, range.address), this.flashFree());
    const stopped = streaming.stopped();
    this.writers.add(stopped);
    void stopped.then(() => this.writers.delete(stopped));
    return streaming;
  }

  /** Writes decoded content into `bank` from `start` (flash/sector-writer.ts), erasing on write if the ECU does. */
  private sectorWriter(bank: BankName, start: number): SectorWriter {
    const io = {
      flash: this.memory.bank(bank),
      sectorSize: this.memory.ecu.flash.sectorSize,
      eraseOnWrite: this.memory.ecu.simulation.eraseOnWrite === true,
      ...this.eraseTiming(),
    };
    return new SectorWriter(io, start);
  }

  async transferData(bsc: number, data: Uint8Array): Promise<void> {
    const d = this.download;
    if (d.kind !== 'active')
      throw new NegativeResponse(NRC.requestSequenceError, 'TransferData without RequestDownload');
    if (bsc === d.lastBsc && bsc !== d.expectedBsc) return; // the tester lost our answer: acknowledge again
    if (bsc !== d.expectedBsc) {
      throw new NegativeResponse(NRC.wrongBlockSequenceCounter, `expected block 0x${d.expectedBsc.toString(16)}`);
    }
    if (data.length === 0 || data.length > this.options.maxBlockLength - 2) {
      throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, `block of ${data.length} bytes`);
    }
    if (d.compressed) {
      const c = d.compressed;
      if (c.received + data.length > c.size * MAX_COMPRESSED_FACTOR + 0x10000) {
        throw new NegativeResponse(NRC.transferDataSuspended, 'compressed stream far longer than the image');
      }
      const block = Uint8Array.from(this.faults.corruptBlock(data));
      if (c.streaming) c.streaming.push(block);
      else c.chunks.push(block);
      c.received += data.length;
    } else {
      if (d.nextAddress + data.length > d.end) {
        throw new NegativeResponse(NRC.transferDataSuspended, 'more data than RequestDownload announced');
      }
      await this.flashFree();
      await this.programChecked(d.bank, d.nextAddress, this.faults.corruptBlock(data));
      d.nextAddress += data.length;
    }
    d.lastBsc = bsc;
    d.expectedBsc = nextBlockSequenceCounter(bsc);
    if (this.faults.blockWritten()) this.loseOwnPower();
  }

  private async programChecked(bank: BankName, address: number, data: Uint8Array): Promise<void> {
    try {
      await this.memory.bank(bank).program(address, data);
    } catch (err) {
      if (err instanceof NotErasedError) throw new NegativeResponse(NRC.generalProgrammingFailure, err.message);
      throw err;
    }
  }

  async transferExit(): Promise<void> {
    const d = this.download;
    if (d.kind !== 'active') {
      throw new NegativeResponse(NRC.requestSequenceError, 'RequestTransferExit without download');
    }
    if (d.compressed) {
      this.download = { kind: 'idle' };
      await this.flashFree();
      if (d.compressed.streaming) await this.finishStreaming(d.compressed.streaming);
      else if (d.compressed.encoding === 'delta-in-place') await this.writeInPlace(d.regionIndex, d.compressed.chunks);
      else await this.writeDecoded(d.bank, d.regionIndex, { ...d.compressed, encoding: d.compressed.encoding });
      return;
    }
    if (d.nextAddress !== d.end) {
      throw new NegativeResponse(NRC.requestSequenceError, `${d.end - d.nextAddress} bytes of the download missing`);
    }
    this.download = { kind: 'idle' };
  }

  /** The end of a delta applied while it arrived: the rest of it written, refused (0x72) if it does not decode. */
  private async finishStreaming(streaming: StreamingDelta): Promise<void> {
    try {
      await streaming.finish();
    } catch (err) {
      if (err instanceof TransferDecodeError || err instanceof NotErasedError) {
        throw new NegativeResponse(NRC.generalProgrammingFailure, err.message);
      }
      throw err;
    }
  }

  /** An in-place patch: refused before anything changes, or applied power-loss safe (in-place-update.ts). */
  private async writeInPlace(regionIndex: number, chunks: Uint8Array[]): Promise<void> {
    let rebuilt: boolean;
    try {
      rebuilt = await startInPlaceUpdate(this.inPlaceIo(), regionIndex, Buffer.concat(chunks));
    } catch (err) {
      if (err instanceof InPlaceRefusedError) throw new NegativeResponse(NRC.generalProgrammingFailure, err.message);
      throw err;
    }
    if (!rebuilt) throw new NegativeResponse(NRC.generalProgrammingFailure, 'the in-place patch rebuilt another image');
  }

  /** Decodes a collected stream and programs it; a single-bank ECU patches in place (erase, then write). */
  private async writeDecoded(
    bank: BankName,
    regionIndex: number,
    c: { encoding: 'brotli' | 'delta'; start: number; size: number; chunks: Uint8Array[] },
  ): Promise<void> {
    const region = this.memory.ecu.flash.regions[regionIndex] as { address: number; size: number };
    const base = this.memory.bank(this.memory.state.activeBank).readRegion(regionIndex);
    let content: Uint8Array;
    try {
      content = decodeTransfer(c.encoding, Buffer.concat(c.chunks), c.size, base);
    } catch (err) {
      if (err instanceof TransferDecodeError) throw new NegativeResponse(NRC.generalProgrammingFailure, err.message);
      throw err;
    }
    if (bank !== this.memory.state.activeBank && this.memory.ecu.simulation.eraseOnWrite) {
      await this.rewriteChangedSectors(bank, regionIndex, c.start, content);
      return;
    }
    if (!this.memory.bank(bank).isErased(c.start, c.size) && bank === this.memory.state.activeBank) {
      // In place: the base is in RAM now, so erasing what it was read from is safe.
      this.memory.update((s) => (s.signatures[bank][regionIndex] = null));
      const sector = this.memory.ecu.flash.sectorSize;
      const first = c.start - ((c.start - region.address) % sector);
      for (let a = first; a < c.start + c.size; a += sector) await this.memory.bank(bank).eraseSector(a);
    }
    await this.programChecked(bank, c.start, content);
  }

  /**
   * eraseOnWrite (F1A2) into the inactive bank: the region is invalidated first (a power cut from here on boots
   * the active bank, and a retry starts over), then each sector that does not already hold its new content is
   * erased (unless blank) and programmed. Sectors that hold it are kept; checkMemory still verifies every byte.
   */
  private async rewriteChangedSectors(
    bank: BankName,
    regionIndex: number,
    start: number,
    content: Uint8Array,
  ): Promise<void> {
    this.memory.update((s) => {
      s.signatures[bank][regionIndex] = null;
      s.pending = { bank, kind: 'newImage' };
    });
    if (start % this.memory.ecu.flash.sectorSize !== 0) {
      throw new NegativeResponse(NRC.requestOutOfRange, `a download must start on a sector to rewrite in place`);
    }
    const writer = this.sectorWriter(bank, start); // it erases on write: never a sector that is not erased
    await writer.push(content);
    await writer.finish();
  }

  /** Routine 0202: true when the signature verifies over the region programmed last (and is then recorded). */
  checkMemory(signature: Uint8Array): boolean {
    if (signature.length !== SIGNATURE_LENGTH) {
      throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, 'checkMemory takes a 64-byte signature');
    }
    const target = this.lastRegion;
    if (!target || this.download.kind === 'active') {
      throw new NegativeResponse(NRC.requestSequenceError, 'nothing programmed to check (or a download is active)');
    }
    const valid = this.memory.verifySignature(target.bank, target.regionIndex, signature);
    this.memory.update((s) => {
      s.signatures[target.bank][target.regionIndex] = valid ? Buffer.from(signature).toString('hex') : null;
    });
    return valid;
  }

  /** Routine FF01: every region of the programmed bank valid, and built for this hardware. */
  checkDependencies(): boolean {
    const bank = this.memory.targetBank;
    if (!this.memory.isBankValid(bank)) return false;
    const info = this.memory.appInfo(bank);
    return info === null || info.hardwareId === this.memory.ecu.identification.hardwareId;
  }

  /** Routine 0206 (dual-bank): copies erased target sectors from the active bank. */
  async copyFromActiveBank(range: MemoryRange): Promise<void> {
    const { regionIndex } = this.locate(range, 'copyFromActiveBank');
    this.checkSectorAligned(range, 'copyFromActiveBank');
    if (this.download.kind === 'active') throw new NegativeResponse(NRC.conditionsNotCorrect, 'a download is active');
    await this.flashFree();
    const target = this.touchTarget(regionIndex);
    const content = this.memory.bank(this.memory.state.activeBank).read(range.address, range.size);
    await this.programChecked(target, range.address, content);
  }

  /** Routine 0204 (dual-bank): the next reset activates the previous bank, committed. */
  switchToPreviousBank(): void {
    const previous = otherBank(this.memory.state.activeBank);
    if (!this.memory.isBankValid(previous)) {
      throw new NegativeResponse(NRC.conditionsNotCorrect, `bank ${previous} holds no valid image`);
    }
    this.memory.update((s) => (s.pending = { bank: previous, kind: 'rollback' }));
  }

  /** Routine 0205 (dual-bank): commits the active bank (no automatic fallback any more). */
  confirmActiveBank(): void {
    if (this.memory.state.unconfirmedBoots !== null) this.memory.update((s) => (s.unconfirmedBoots = null));
  }
}
