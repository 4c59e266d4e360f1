// Byte helpers shared by the service codecs, and the two ways a malformed message is reported:
// a client decoding a bad response gets UdsResponseFormatError; a server decoding a bad request gets
// NegativeResponse(0x13) so the framework answers incorrectMessageLengthOrInvalidFormat.
import { NRC, NegativeResponse } from '../nrc.ts';

export const SUPPRESS_POSITIVE_RESPONSE = 0x80;
export const POSITIVE_RESPONSE_OFFSET = 0x40;
export const NEGATIVE_RESPONSE_SID = 0x7f;

export class UdsResponseFormatError extends Error {
  override readonly name = 'UdsResponseFormatError';
}

export function subFunctionByte(subFunction: number, suppressPositiveResponse = false): number {
  if (!Number.isInteger(subFunction) || subFunction < 0 || subFunction > 0x7f) {
    throw new RangeError(`sub-function 0x${subFunction.toString(16)} is not 0x00..0x7F`);
  }
  return suppressPositiveResponse ? subFunction | SUPPRESS_POSITIVE_RESPONSE : subFunction;
}

export function checkByte(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff)
    throw new RangeError(`${what} must be 0..0xFF, not ${value}`);
  return value;
}

export function checkDid(did: number): number {
  if (!Number.isInteger(did) || did < 0 || did > 0xffff)
    throw new RangeError(`identifier must be 0..0xFFFF, not ${did}`);
  return did;
}

/** Big-endian unsigned integer of `length` bytes (1..6). */
export function writeUint(value: number, length: number, what: string): number[] {
  if (!Number.isInteger(length) || length < 1 || length > 6)
    throw new RangeError(`${what} length must be 1..6 bytes, not ${length}`);
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * length)) {
    throw new RangeError(`${what} ${value} does not fit in ${length} bytes`);
  }
  const out: number[] = [];
  for (let i = length - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}

export function readUint(bytes: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + (bytes[offset + i] as number);
  return value;
}

export function concat(head: readonly number[], tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/** Checks a positive response's SID (and minimum length) on the client side. */
export function expectResponse(bytes: Uint8Array, requestSid: number, minLength: number, what: string): void {
  if (bytes[0] !== requestSid + POSITIVE_RESPONSE_OFFSET) {
    throw new UdsResponseFormatError(
      `${what}: expected response SID 0x${(requestSid + 0x40).toString(16)}, got 0x${(bytes[0] ?? 0).toString(16)}`,
    );
  }
  if (bytes.length < minLength) {
    throw new UdsResponseFormatError(`${what}: response of ${bytes.length} bytes, at least ${minLength} expected`);
  }
}

/** Server side: a request shorter/longer than its format allows. */
export function badLength(what: string): NegativeResponse {
  return new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, `${what}: incorrect message length or format`);
}

export function outOfRange(what: string): NegativeResponse {
  return new NegativeResponse(NRC.requestOutOfRange, what);
}
