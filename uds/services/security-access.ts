// SecurityAccess (0x27): requestSeed (odd level) `27 <lvl> [record]` -> `67 <lvl> <seed>`;
// sendKey (level + 1) `27 <lvl+1> <key>` -> `67 <lvl+1>`.
import { NRC, NegativeResponse } from '../nrc.ts';
import { badLength, concat, expectResponse, subFunctionByte } from './common.ts';
import { SID } from './sid.ts';

function checkSeedLevel(level: number): void {
  if (!Number.isInteger(level) || level < 0x01 || level > 0x7d || level % 2 === 0) {
    throw new RangeError(
      `security access level 0x${level.toString(16)} must be odd, 0x01..0x7D (the requestSeed value)`,
    );
  }
}

export function encodeRequestSeedRequest(level: number, record: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkSeedLevel(level);
  return concat([SID.SecurityAccess, level], record);
}

export function encodeSendKeyRequest(level: number, key: Uint8Array): Uint8Array {
  checkSeedLevel(level);
  return concat([SID.SecurityAccess, subFunctionByte(level + 1)], key);
}

export function decodeRequestSeedResponse(bytes: Uint8Array, level: number): Uint8Array {
  expectResponse(bytes, SID.SecurityAccess, 2, 'SecurityAccess requestSeed');
  if (bytes[1] !== level) throw badEcho(level, bytes[1]);
  return bytes.slice(2);
}

export function decodeSendKeyResponse(bytes: Uint8Array, level: number): void {
  expectResponse(bytes, SID.SecurityAccess, 2, 'SecurityAccess sendKey');
  if (bytes[1] !== level + 1) throw badEcho(level + 1, bytes[1]);
}

function badEcho(expected: number, got: number | undefined): Error {
  return new Error(`SecurityAccess: response echoes 0x${(got ?? 0).toString(16)}, expected 0x${expected.toString(16)}`);
}

export type SecurityAccessRequest =
  { kind: 'requestSeed'; level: number; record: Uint8Array } | { kind: 'sendKey'; level: number; key: Uint8Array };

/** `level` is always the requestSeed value (odd), also for sendKey. */
export function decodeSecurityAccessRequest(bytes: Uint8Array): SecurityAccessRequest {
  if (bytes.length < 2) throw badLength('SecurityAccess');
  const sub = (bytes[1] as number) & 0x7f;
  if (sub === 0 || sub > 0x7e) throw new NegativeResponse(NRC.subFunctionNotSupported);
  if (sub % 2 === 1) return { kind: 'requestSeed', level: sub, record: bytes.slice(2) };
  if (bytes.length < 3) throw badLength('SecurityAccess sendKey');
  return { kind: 'sendKey', level: sub - 1, key: bytes.slice(2) };
}

export function encodeRequestSeedResponse(level: number, seed: Uint8Array): Uint8Array {
  return concat([SID.SecurityAccess + 0x40, level], seed);
}

export function encodeSendKeyResponse(level: number): Uint8Array {
  return Uint8Array.of(SID.SecurityAccess + 0x40, level + 1);
}
