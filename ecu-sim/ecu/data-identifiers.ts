// ReadDataByIdentifier content of the reference profile (flash-protocol.md, identification table).
import type { EcuDefinition } from '../vehicle/schema.ts';

export const DID = {
  bootSoftwareId: 0xf180,
  activeSession: 0xf186,
  sparePartNumber: 0xf187,
  applicationSoftwareVersion: 0xf189,
  supplier: 0xf18a,
  serialNumber: 0xf18c,
  vin: 0xf190,
  hardwareId: 0xf191,
  fingerprintWrite: 0xf15a,
  fingerprintRead: 0xf15b,
  activeImageDigest: 0xf1a0,
  activeBank: 0xf1a1,
  batteryMv: 0x0100,
  speedKmh: 0x0101,
  ignition: 0x0102,
} as const;

/** F1A1's first byte. */
export const BANK_CODE = { A: 0x0a, B: 0x0b, singleBank: 0x00, noValidApplication: 0xff } as const;

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
  previousVersion: string;
  fingerprint: Uint8Array;
  batteryMv: number;
  speedKmh: number;
  ignitionCode: number;
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const uint16 = (n: number): Uint8Array => Uint8Array.of((n >> 8) & 0xff, n & 0xff);

/** The data record of `did`, or null when the ECU does not support it. */
export function readDid(did: number, src: DidSources): Uint8Array | null {
  const id = src.definition.identification;
  switch (did) {
    case DID.bootSoftwareId:
      return ascii(id.bootSoftwareId);
    case DID.sparePartNumber:
      return ascii(id.sparePartNumber);
    case DID.applicationSoftwareVersion:
      return ascii(src.applicationVersion ?? '');
    case DID.supplier:
      return ascii(id.supplier);
    case DID.serialNumber:
      return ascii(id.serialNumber);
    case DID.vin:
      return ascii(src.vin);
    case DID.hardwareId:
      return ascii(id.hardwareId);
    case DID.activeSession:
      return Uint8Array.of(src.session);
    case DID.fingerprintRead:
      return src.fingerprint;
    case DID.activeImageDigest:
      return src.imageDigest ?? new Uint8Array(32);
    case DID.activeBank:
      return Uint8Array.of(src.activeBankCode, ...ascii(src.previousVersion));
    case DID.batteryMv:
      return uint16(src.batteryMv);
    case DID.speedKmh:
      return uint16(src.speedKmh);
    case DID.ignition:
      return Uint8Array.of(src.ignitionCode);
    default:
      return null;
  }
}
