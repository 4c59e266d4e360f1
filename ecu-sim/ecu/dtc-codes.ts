// The simulator's DTCs (3-byte codes, ISO 14229-1 status byte bits: 0x01 testFailed, 0x08 confirmedDTC).
export const DTC = {
  /** Secure boot found no valid application: the ECU stays in its bootloader. */
  applicationInvalid: 0xf00101,
  /** A newly programmed bank failed verification at activation: the previous bank keeps running. */
  programmingFailed: 0xf00201,
  /** A dual-bank ECU fell back to its previous bank (unconfirmed too often, or the active bank went invalid). */
  bankFallback: 0xf00301,
} as const;

export const DTC_STATUS_FAILED = 0x09;
export const DTC_STATUS_HISTORIC = 0x08;
export const DTC_STATUS_AVAILABILITY_MASK = 0x09;
