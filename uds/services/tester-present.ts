// TesterPresent (0x3E): `3E 00` -> `7E 00`; `3E 80` (suppressed) gets no answer.
import { NRC, NegativeResponse } from '../nrc.ts';
import { badLength, expectResponse, subFunctionByte } from './common.ts';
import { SID } from './sid.ts';

export function encodeTesterPresentRequest(suppressPositiveResponse = true): Uint8Array {
  return Uint8Array.of(SID.TesterPresent, subFunctionByte(0, suppressPositiveResponse));
}

export function decodeTesterPresentResponse(bytes: Uint8Array): void {
  expectResponse(bytes, SID.TesterPresent, 2, 'TesterPresent');
}

export function decodeTesterPresentRequest(bytes: Uint8Array): void {
  if (bytes.length !== 2) throw badLength('TesterPresent');
  if (((bytes[1] as number) & 0x7f) !== 0) throw new NegativeResponse(NRC.subFunctionNotSupported);
}

export function encodeTesterPresentResponse(): Uint8Array {
  return Uint8Array.of(SID.TesterPresent + 0x40, 0x00);
}
