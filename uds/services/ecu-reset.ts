// ECUReset (0x11): `11 <resetType>` -> `51 <resetType> [powerDownTime]` (powerDownTime only for 0x04).
import { badLength, expectResponse, subFunctionByte } from './common.ts';
import { SID } from './sid.ts';

export const ResetType = {
  hardReset: 0x01,
  keyOffOnReset: 0x02,
  softReset: 0x03,
  enableRapidPowerShutDown: 0x04,
  disableRapidPowerShutDown: 0x05,
} as const;

export function encodeEcuResetRequest(resetType: number, suppressPositiveResponse = false): Uint8Array {
  return Uint8Array.of(SID.EcuReset, subFunctionByte(resetType, suppressPositiveResponse));
}

export function decodeEcuResetResponse(bytes: Uint8Array): { resetType: number; powerDownTimeS: number | null } {
  expectResponse(bytes, SID.EcuReset, 2, 'ECUReset');
  return { resetType: bytes[1] as number, powerDownTimeS: bytes.length > 2 ? (bytes[2] as number) : null };
}

export function decodeEcuResetRequest(bytes: Uint8Array): { resetType: number } {
  if (bytes.length !== 2) throw badLength('ECUReset');
  return { resetType: (bytes[1] as number) & 0x7f };
}

export function encodeEcuResetResponse(resetType: number, powerDownTimeS?: number): Uint8Array {
  return powerDownTimeS === undefined
    ? Uint8Array.of(SID.EcuReset + 0x40, resetType)
    : Uint8Array.of(SID.EcuReset + 0x40, resetType, powerDownTimeS & 0xff);
}
