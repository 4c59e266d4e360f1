// RoutineControl (0x31): `31 <type> <routineId:2> [optionRecord]` -> `71 <type> <routineId:2> [statusRecord]`.
import { NRC, NegativeResponse } from '../nrc.ts';
import {
  UdsResponseFormatError,
  badLength,
  checkDid,
  concat,
  expectResponse,
  readUint,
  subFunctionByte,
} from './common.ts';
import { SID } from './sid.ts';

export const RoutineControlType = { startRoutine: 0x01, stopRoutine: 0x02, requestRoutineResults: 0x03 } as const;
export type RoutineControlType = (typeof RoutineControlType)[keyof typeof RoutineControlType];

export function encodeRoutineControlRequest(
  type: RoutineControlType,
  routineId: number,
  optionRecord: Uint8Array = new Uint8Array(0),
  suppressPositiveResponse = false,
): Uint8Array {
  return concat(
    [SID.RoutineControl, subFunctionByte(type, suppressPositiveResponse), checkDid(routineId) >> 8, routineId & 0xff],
    optionRecord,
  );
}

export function decodeRoutineControlResponse(bytes: Uint8Array, type: number, routineId: number): Uint8Array {
  expectResponse(bytes, SID.RoutineControl, 4, 'RoutineControl');
  if (bytes[1] !== type || readUint(bytes, 2, 2) !== routineId) {
    throw new UdsResponseFormatError(
      `RoutineControl: response is for type 0x${(bytes[1] ?? 0).toString(16)} routine 0x${readUint(bytes, 2, 2).toString(16)}`,
    );
  }
  return bytes.slice(4);
}

export function decodeRoutineControlRequest(bytes: Uint8Array): {
  type: RoutineControlType;
  routineId: number;
  optionRecord: Uint8Array;
} {
  if (bytes.length < 4) throw badLength('RoutineControl');
  const type = (bytes[1] as number) & 0x7f;
  if (type < 1 || type > 3) throw new NegativeResponse(NRC.subFunctionNotSupported);
  return { type: type as RoutineControlType, routineId: readUint(bytes, 2, 2), optionRecord: bytes.slice(4) };
}

export function encodeRoutineControlResponse(
  type: number,
  routineId: number,
  statusRecord: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return concat([SID.RoutineControl + 0x40, type, routineId >> 8, routineId & 0xff], statusRecord);
}
