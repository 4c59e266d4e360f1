// What the bootloader does at power-on and at every ECUReset: activate a pending bank, count unconfirmed boots
// and fall back, verify the application (Ed25519 over SHA-256 of each region) and either start it or stay in
// the bootloader. The decision is persisted in one atomic state update.
import { otherBank, type BankName } from '../flash/ecu-state.ts';
import { DTC, DTC_STATUS_FAILED, DTC_STATUS_HISTORIC } from './dtc-codes.ts';
import { EcuMemory } from './ecu-memory.ts';

/** The result of a boot: the ECU runs its application, or it stays in its bootloader (never neither). */
export type BootOutcome =
  { mode: 'application'; version: string; imageDigest: Uint8Array } | { mode: 'bootloader'; reason: string };

export function secureBoot(memory: EcuMemory, maxUnconfirmedBoots: number): BootOutcome {
  let outcome: BootOutcome = { mode: 'bootloader', reason: 'no valid application' };
  // Each check reads and verifies a whole bank, and nothing a boot does changes a bank's content or signatures:
  // verify each bank at most once.
  const validity = new Map<BankName, boolean>();
  const isBankValid = (bank: BankName): boolean => {
    let valid = validity.get(bank);
    if (valid === undefined) validity.set(bank, (valid = memory.isBankValid(bank)));
    return valid;
  };
  memory.update((s) => {
    s.bootCount++;
    if (memory.dualBank) {
      if (s.pending) {
        const { bank, kind } = s.pending;
        s.pending = null;
        if (isBankValid(bank)) {
          s.activeBank = bank;
          s.unconfirmedBoots = kind === 'newImage' ? 0 : null;
        } else if (kind === 'newImage') {
          EcuMemory.setDtc(s, DTC.programmingFailed);
        }
      } else if (s.unconfirmedBoots !== null) {
        s.unconfirmedBoots++;
        if (s.unconfirmedBoots >= maxUnconfirmedBoots && isBankValid(otherBank(s.activeBank))) {
          s.activeBank = otherBank(s.activeBank);
          s.unconfirmedBoots = null;
          EcuMemory.setDtc(s, DTC.bankFallback);
        }
      }
      if (!isBankValid(s.activeBank) && isBankValid(otherBank(s.activeBank))) {
        s.activeBank = otherBank(s.activeBank);
        s.unconfirmedBoots = null;
        EcuMemory.setDtc(s, DTC.bankFallback);
      }
    }
    if (!isBankValid(s.activeBank)) {
      EcuMemory.setDtc(s, DTC.applicationInvalid);
      outcome = { mode: 'bootloader', reason: `bank ${s.activeBank} holds no validly signed application` };
      return;
    }
    const version = memory.appInfo(s.activeBank)?.softwareVersion ?? 'unknown';
    if (version !== s.lastBootedVersion) {
      if (s.lastBootedVersion !== null) s.previousVersion = s.lastBootedVersion;
      s.lastBootedVersion = version;
    }
    const invalid = s.dtcs.find((d) => d.code === DTC.applicationInvalid);
    if (invalid && invalid.status === DTC_STATUS_FAILED) invalid.status = DTC_STATUS_HISTORIC;
    outcome = { mode: 'application', version, imageDigest: memory.imageDigest(s.activeBank) };
  });
  return outcome;
}
