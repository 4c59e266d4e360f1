// 0x7F negative response: `7F <request SID> <NRC>`.
import { NEGATIVE_RESPONSE_SID } from './common.ts';

export function encodeNegativeResponse(sid: number, nrc: number): Uint8Array {
  return Uint8Array.of(NEGATIVE_RESPONSE_SID, sid & 0xff, nrc & 0xff);
}

/** The request SID and NRC of a negative response, or null when the bytes are not one. */
export function decodeNegativeResponse(bytes: Uint8Array): { sid: number; nrc: number } | null {
  if (bytes.length < 3 || bytes[0] !== NEGATIVE_RESPONSE_SID) return null;
  return { sid: bytes[1] as number, nrc: bytes[2] as number };
}
