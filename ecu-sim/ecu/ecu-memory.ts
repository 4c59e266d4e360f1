// An ECU's non-volatile memory: its flash bank files and its state.json, with the operations the bootloader
// performs on them. Every mutation is persisted before it takes effect in memory.
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { otherBank, type BankName, type EcuState } from '../flash/ecu-state.ts';
import { FlashBank } from '../flash/flash-bank.ts';
import { InPlaceStore } from '../flash/in-place-store.ts';
import type { PowerSupply } from '../flash/power.ts';
import { bankFileName } from '../flash/provision.ts';
import { StateStore } from '../flash/state-store.ts';
import { decodeInfoBlock, type AppInfo } from '../image/app-info-block.ts';
import type { EcuDefinition } from '../vehicle/schema.ts';
import { DTC_STATUS_FAILED } from './dtc-codes.ts';
import { sha256, verifyDigest } from '@ota/uds';

export class EcuMemory {
  private readonly store: StateStore;
  private readonly banks: Partial<Record<BankName, FlashBank>> = {};
  private current: EcuState;
  /** The progress record of a single-bank in-place update (in-place-store.ts). */
  readonly inPlace: InPlaceStore;

  constructor(
    readonly ecu: EcuDefinition,
    dir: string,
    power: PowerSupply,
    private readonly publicKey: KeyObject,
    /** Extra time each flash write takes to become durable (a slow storage medium, fault injection). */
    writeDelayMs: () => number = () => 0,
  ) {
    this.store = new StateStore(dir, power);
    this.inPlace = new InPlaceStore(dir, power);
    this.current = this.store.load();
    this.banks.A = new FlashBank(join(dir, bankFileName('A')), ecu.flash, power, writeDelayMs);
    if (this.dualBank) this.banks.B = new FlashBank(join(dir, bankFileName('B')), ecu.flash, power, writeDelayMs);
  }

  get dualBank(): boolean {
    return this.ecu.flash.banks === 'dual';
  }

  get state(): Readonly<EcuState> {
    return this.current;
  }

  /** Applies `change` to a copy, persists it, then makes it current (a power loss leaves the old state). */
  update(change: (draft: EcuState) => void): void {
    const draft = structuredClone(this.current);
    change(draft);
    this.store.save(draft);
    this.current = draft;
  }

  bank(name: BankName): FlashBank {
    const bank = this.banks[name];
    if (!bank) throw new Error(`${this.ecu.name} has no bank ${name}`);
    return bank;
  }

  /** The bank programming writes to: the inactive one of a dual-bank ECU, the only one otherwise. */
  get targetBank(): BankName {
    return this.dualBank ? otherBank(this.current.activeBank) : 'A';
  }

  regionDigest(bank: BankName, regionIndex: number): Uint8Array {
    return sha256(this.bank(bank).readRegion(regionIndex));
  }

  verifySignature(bank: BankName, regionIndex: number, signature: Uint8Array): boolean {
    return verifyDigest(this.publicKey, this.regionDigest(bank, regionIndex), signature);
  }

  /** Secure boot's check: every region carries a recorded signature that verifies over its current content. */
  isBankValid(bank: BankName): boolean {
    const signatures = this.current.signatures[bank];
    return this.ecu.flash.regions.every((_, i) => {
      const sig = signatures[i];
      return typeof sig === 'string' && this.verifySignature(bank, i, Buffer.from(sig, 'hex'));
    });
  }

  /** SHA-256 over all regions of a bank in layout order (F1A0). */
  imageDigest(bank: BankName): Uint8Array {
    const regions = this.ecu.flash.regions.map((_, i) => this.bank(bank).readRegion(i));
    return sha256(Buffer.concat(regions));
  }

  appInfo(bank: BankName): AppInfo | null {
    const first = this.ecu.flash.regions[0];
    if (!first) return null;
    return decodeInfoBlock(this.bank(bank).read(first.address, Math.min(64, first.size)));
  }

  /** Records a DTC as currently failing (unless DTC setting is off). */
  static setDtc(draft: EcuState, code: number): void {
    const existing = draft.dtcs.find((d) => d.code === code);
    if (existing) existing.status = DTC_STATUS_FAILED;
    else draft.dtcs.push({ code, status: DTC_STATUS_FAILED });
  }

  close(): void {
    for (const bank of Object.values(this.banks)) bank.close();
  }
}
