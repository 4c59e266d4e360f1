// Reading and decoding the identification DIDs of the reference profile.
import type { EcuLink } from './ecu-link.ts';
import { BankCode, BootloaderCapability, DataIdentifier, NRC, NegativeResponseError } from '@ota/uds';

export function ascii(data: Uint8Array): string {
  return Buffer.from(data).toString('latin1').replace(/\0+$/, '').trim();
}

export interface EcuIdentity {
  vin: string;
  serialNumber: string;
  hardwareId: string;
  softwareVersion: string;
  sha256: string;
}

export interface BankInfo {
  activeBank: 'A' | 'B' | null;
  previousVersion: string | null;
}

export function decodeBankInfo(data: Uint8Array): BankInfo {
  const bank = data[0];
  const previous = ascii(data.subarray(1));
  return {
    activeBank: bank === BankCode.A ? 'A' : bank === BankCode.B ? 'B' : null,
    previousVersion: previous.length > 0 ? previous : null,
  };
}

export async function readIdentity(link: EcuLink): Promise<EcuIdentity> {
  const vin = ascii(await link.readDataByIdentifier(DataIdentifier.vin));
  const serialNumber = ascii(await link.readDataByIdentifier(DataIdentifier.serialNumber));
  const hardwareId = ascii(await link.readDataByIdentifier(DataIdentifier.hardwareId));
  return { vin, serialNumber, hardwareId, ...(await readVersionAndHash(link)) };
}

export async function readVersionAndHash(link: EcuLink): Promise<{ softwareVersion: string; sha256: string }> {
  const softwareVersion = ascii(await link.readDataByIdentifier(DataIdentifier.applicationSoftwareVersion));
  const sha256 = Buffer.from(await link.readDataByIdentifier(DataIdentifier.activeImageSha256)).toString('hex');
  return { softwareVersion, sha256 };
}

export async function readBankInfo(link: EcuLink): Promise<BankInfo> {
  return decodeBankInfo(await link.readDataByIdentifier(DataIdentifier.bankInfo));
}

/** What a bootloader offers beyond the standard sequence (F1A2). */
export interface BootloaderCapabilities {
  /** A compressed or delta download into the inactive bank needs no eraseMemory; changed sectors are rewritten. */
  eraseOnWrite: boolean;
  /** Read-while-write: routine 0207 erases inactive-bank sectors in the extended session, the application running. */
  backgroundErase: boolean;
  /** A single-bank bootloader applies in-place patches power-loss safe. */
  inPlaceDelta: boolean;
}

export const NO_BOOTLOADER_CAPABILITIES: BootloaderCapabilities = {
  eraseOnWrite: false,
  backgroundErase: false,
  inPlaceDelta: false,
};

/**
 * F1A2, discovered, never assumed: an ECU that does not know it answers requestOutOfRange and has none (it is
 * erased and flashed the old way, in the programming session).
 */
export async function readBootloaderCapabilities(link: EcuLink): Promise<BootloaderCapabilities> {
  try {
    const bits = (await link.readDataByIdentifier(DataIdentifier.bootloaderCapabilities))[0] ?? 0;
    return {
      eraseOnWrite: (bits & BootloaderCapability.eraseOnWrite) !== 0,
      backgroundErase: (bits & BootloaderCapability.backgroundErase) !== 0,
      inPlaceDelta: (bits & BootloaderCapability.inPlaceDelta) !== 0,
    };
  } catch (err) {
    if (err instanceof NegativeResponseError && err.nrc === NRC.requestOutOfRange) return NO_BOOTLOADER_CAPABILITIES;
    throw err;
  }
}
