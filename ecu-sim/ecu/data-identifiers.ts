// ReadDataByIdentifier content of the reference profile (flash-protocol.md, identification table).
import type { EcuDefinition } from '../vehicle/schema.ts';
import { BootloaderCapability, DataIdentifier } from '@ota/uds';

/** F15A: the fingerprint a tester writes is 1..64 bytes (tester id, date, campaign reference). */
export const MAX_FINGERPRINT_LENGTH = 64;

/** The live values the DIDs report, read at the moment of the request. */
export interface DidSources {
  definition: EcuDefinition;
  vin: string;
  session: number;
  /** F189: null in the bootloader without a valid application. */
  applicationVersion: string | null;
  /** F1A0: null without a valid running application. */
  imageDigest: Uint8Array | null;
  activeBankCode: number;
  /** F1A1's version part; a function because it may read a whole bank (only F1A1 calls it). */
  previousVersion: () => string;
  fingerprint: Uint8Array;
  batteryMv: number;
  speedKmh: number;
  ignitionCode: number;
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const uint16 = (n: number): Uint8Array => Uint8Array.of((n >> 8) & 0xff, n & 0xff);

/**
 * F1A2's bits, null (0x31) when none: eraseOnWrite and backgroundErase (dual-bank, when configured), inPlaceDelta
 * (single-bank declaring "delta-in-place").
 */
export function bootloaderCapabilities(ecu: EcuDefinition): Uint8Array | null {
  const dual = ecu.flash.banks === 'dual';
  const inPlace = !dual && ecu.flash.compressionMethods.some((m) => m.name === 'delta-in-place');
  const bits =
    (dual && ecu.simulation.eraseOnWrite ? BootloaderCapability.eraseOnWrite : 0) |
    (dual && ecu.simulation.backgroundErase ? BootloaderCapability.backgroundErase : 0) |
    (inPlace ? BootloaderCapability.inPlaceDelta : 0);
  return bits === 0 ? null : Uint8Array.of(bits);
}

/** The data record of `did`, or null when the ECU does not support it. */
export function readDid(did: number, src: DidSources): Uint8Array | null {
  const id = src.definition.identification;
  switch (did) {
    case DataIdentifier.bootSoftwareId:
      return ascii(id.bootSoftwareId);
    case DataIdentifier.sparePartNumber:
      return ascii(id.sparePartNumber);
    case DataIdentifier.applicationSoftwareVersion:
      return ascii(src.applicationVersion ?? '');
    case DataIdentifier.supplier:
      return ascii(id.supplier);
    case DataIdentifier.serialNumber:
      return ascii(id.serialNumber);
    case DataIdentifier.vin:
      return ascii(src.vin);
    case DataIdentifier.hardwareId:
      return ascii(id.hardwareId);
    case DataIdentifier.activeSession:
      return Uint8Array.of(src.session);
    case DataIdentifier.fingerprintRead:
      return src.fingerprint;
    case DataIdentifier.activeImageSha256:
      return src.imageDigest ?? new Uint8Array(32);
    case DataIdentifier.bootloaderCapabilities:
      return bootloaderCapabilities(src.definition);
    case DataIdentifier.bankInfo:
      return Uint8Array.of(src.activeBankCode, ...ascii(src.previousVersion()));
    case DataIdentifier.batteryMv:
      return uint16(src.batteryMv);
    case DataIdentifier.speedKmh:
      return uint16(src.speedKmh);
    case DataIdentifier.ignition:
      return Uint8Array.of(src.ignitionCode);
    default:
      return null;
  }
}
