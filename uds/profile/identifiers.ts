// The identifiers of this project's reference ECU profile (shared/design/flash-protocol.md): its data
// identifiers, its routines and its programming security level. They are the profile's choices within the
// ranges ISO 14229-1 leaves to manufacturers and suppliers, not part of the standard's services (uds/services).

/** Data identifiers of the profile's identification table. */
export const DataIdentifier = {
  bootSoftwareId: 0xf180,
  activeSession: 0xf186,
  sparePartNumber: 0xf187,
  applicationSoftwareVersion: 0xf189,
  supplier: 0xf18a,
  serialNumber: 0xf18c,
  vin: 0xf190,
  hardwareId: 0xf191,
  /** Written (0x2E) before programming. */
  fingerprintWrite: 0xf15a,
  /** The fingerprint of the last programming attempt. */
  fingerprintRead: 0xf15b,
  /** SHA-256 of the active application image (32 bytes). */
  activeImageSha256: 0xf1a0,
  /** Active bank (0x0A, 0x0B; 0x00 single-bank), then the previous version (ASCII). */
  bankInfo: 0xf1a1,
  /** Bootloader capabilities, a bit field (BootloaderCapability); an ECU without it answers 0x31. */
  bootloaderCapabilities: 0xf1a2,
  batteryMv: 0x0100,
  speedKmh: 0x0101,
  ignition: 0x0102,
} as const;

/** Routine identifiers (RoutineControl 0x31) of the programming sequence and bank control. */
export const RoutineId = {
  checkMemory: 0x0202,
  checkProgrammingPreconditions: 0x0203,
  switchToPreviousBank: 0x0204,
  confirmActiveBank: 0x0205,
  copyFromActiveBank: 0x0206,
  /** Dual-bank, extended session (the application keeps running): erase sectors of the inactive bank. */
  eraseInactiveBank: 0x0207,
  eraseMemory: 0xff00,
  checkProgrammingDependencies: 0xff01,
} as const;

/** Reasons in the status record of checkProgrammingPreconditions (0203); a record of 00 means none. */
export const PreconditionReason = {
  speedNotZero: 0x01,
  ignitionNotOn: 0x02,
  batteryLow: 0x03,
  engineRunning: 0x04,
} as const;

/** F1A1's first byte: the active bank. */
export const BankCode = { A: 0x0a, B: 0x0b, singleBank: 0x00, noValidApplication: 0xff } as const;

/**
 * Bits of F1A2 (an ECU answers none when it has none). eraseOnWrite: a compressed or delta RequestDownload into the inactive bank needs no eraseMemory
 * first; the bootloader invalidates the region, then erases only the sectors whose content differs from what
 * it writes (sectors already holding the target are kept), and checkMemory verifies the whole region after.
 * backgroundErase: read-while-write flash; routine 0207 erases sectors of the inactive bank in the extended
 * session while the application runs from the active bank, so the programming session need not erase them.
 */
export const BootloaderCapability = {
  eraseOnWrite: 0x01,
  backgroundErase: 0x02,
  /**
   * A single-bank bootloader applies an in-place patch (RequestDownload with its "delta-in-place" compression
   * method over a whole region) power-loss safe: it persists the patch and a progress record (step and scratch
   * segment) and resumes at power-on; the region stays invalid until checkMemory (flash-protocol.md).
   */
  inPlaceDelta: 0x04,
} as const;

/** The SecurityAccess level (seed 0x11, key 0x12) that unlocks programming. */
export const PROGRAMMING_SECURITY_LEVEL = 0x11;
