// The faults currently injected into one ECU and the counters they need (blocks written, sectors erased,
// requests per step). Consulted by the services at the points the faults act.
import type { Fault, FaultStep } from './fault-spec.ts';

export class EcuFaults {
  private faults: Fault[] = [];
  private blocksWritten = 0;
  private sectorsErased = 0;
  private readonly stepCounts = new Map<FaultStep, number>();

  add(fault: Fault): void {
    this.faults = [...this.faults, fault];
    // Counts start when a fault is set, so "silent:3" means three more blocks from now.
    if (fault.kind === 'silentAfterBlocks' || fault.kind === 'flipBit') this.blocksWritten = 0;
    if (fault.kind === 'silentAfterSectors') this.sectorsErased = 0;
    if (fault.kind === 'nrc') this.stepCounts.delete(fault.step);
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** Counts a request at `step` and returns the NRC a fault wants for it, or null. */
  nrcFor(step: FaultStep): number | null {
    const count = (this.stepCounts.get(step) ?? 0) + 1;
    this.stepCounts.set(step, count);
    for (const f of this.faults) {
      if (f.kind === 'nrc' && f.step === step && (f.occurrence === null || f.occurrence === count)) return f.nrc;
    }
    return null;
  }

  /** Milliseconds to hold the answer to a request at `step` back. */
  delayFor(step: FaultStep | null): number {
    let ms = 0;
    for (const f of this.faults)
      if (f.kind === 'delay' && (f.step === null || f.step === step)) ms = Math.max(ms, f.ms);
    return ms;
  }

  get refuseKeys(): boolean {
    return this.faults.some((f) => f.kind === 'refuseKeys');
  }

  eraseTimePerSectorMs(configured: number): number {
    let ms = configured;
    for (const f of this.faults) if (f.kind === 'slowErase') ms = f.msPerSector;
    return ms;
  }

  /** Extra milliseconds each flash write takes before it is durable. */
  flashWriteDelayMs(): number {
    let ms = 0;
    for (const f of this.faults) if (f.kind === 'slowFlashWrite') ms = f.ms;
    return ms;
  }

  /** The data of the next TransferData block as it reaches the flash (a flip fault corrupts it). */
  corruptBlock(data: Uint8Array): Uint8Array {
    const number = this.blocksWritten + 1;
    if (data.length === 0 || !this.faults.some((f) => f.kind === 'flipBit' && f.block === number)) return data;
    const out = Uint8Array.from(data);
    out[0] = (out[0] as number) ^ 0x01;
    return out;
  }

  /** Counts a written block; true when the power must be lost now. */
  blockWritten(): boolean {
    this.blocksWritten++;
    return this.faults.some((f) => f.kind === 'silentAfterBlocks' && f.blocks === this.blocksWritten);
  }

  /** Counts an erased sector; true when the power must be lost now. */
  sectorErased(): boolean {
    this.sectorsErased++;
    return this.faults.some((f) => f.kind === 'silentAfterSectors' && f.sectors === this.sectorsErased);
  }
}
