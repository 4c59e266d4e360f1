// ControlDTCSetting (0x85): `85 <type> [record]` -> `C5 <type>`; type 0x01 on, 0x02 off.
import { badLength, concat, expectResponse, subFunctionByte } from './common.ts';
import { SID } from './sid.ts';

export const DtcSettingType = { on: 0x01, off: 0x02 } as const;

export function encodeControlDtcSettingRequest(
  type: number,
  suppressPositiveResponse = false,
  record: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return concat([SID.ControlDtcSetting, subFunctionByte(type, suppressPositiveResponse)], record);
}

export function decodeControlDtcSettingResponse(bytes: Uint8Array): { type: number } {
  expectResponse(bytes, SID.ControlDtcSetting, 2, 'ControlDTCSetting');
  return { type: bytes[1] as number };
}

export function decodeControlDtcSettingRequest(bytes: Uint8Array): { type: number; record: Uint8Array } {
  if (bytes.length < 2) throw badLength('ControlDTCSetting');
  return { type: (bytes[1] as number) & 0x7f, record: bytes.slice(2) };
}

export function encodeControlDtcSettingResponse(type: number): Uint8Array {
  return Uint8Array.of(SID.ControlDtcSetting + 0x40, type);
}
