// TransferData (0x36): `36 <blockSequenceCounter> <data>` -> `76 <blockSequenceCounter> [record]`.
// RequestTransferExit (0x37): `37 [record]` -> `77 [record]`.
import { UdsResponseFormatError, badLength, checkByte, concat, expectResponse } from './common.ts';
import { SID } from './sid.ts';

/** The counter after `bsc`: 0x01 first, 0xFF wraps to 0x00. */
export function nextBlockSequenceCounter(bsc: number): number {
  return (bsc + 1) & 0xff;
}

export function encodeTransferDataRequest(blockSequenceCounter: number, data: Uint8Array): Uint8Array {
  return concat([SID.TransferData, checkByte(blockSequenceCounter, 'blockSequenceCounter')], data);
}

export function decodeTransferDataResponse(bytes: Uint8Array, blockSequenceCounter: number): Uint8Array {
  expectResponse(bytes, SID.TransferData, 2, 'TransferData');
  if (bytes[1] !== blockSequenceCounter) {
    throw new UdsResponseFormatError(
      `TransferData: response for block 0x${(bytes[1] ?? 0).toString(16)}, sent 0x${blockSequenceCounter.toString(16)}`,
    );
  }
  return bytes.slice(2);
}

export function decodeTransferDataRequest(bytes: Uint8Array): { blockSequenceCounter: number; data: Uint8Array } {
  if (bytes.length < 2) throw badLength('TransferData');
  return { blockSequenceCounter: bytes[1] as number, data: bytes.subarray(2) };
}

export function encodeTransferDataResponse(
  blockSequenceCounter: number,
  record: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return concat([SID.TransferData + 0x40, blockSequenceCounter], record);
}

export function encodeRequestTransferExitRequest(record: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat([SID.RequestTransferExit], record);
}

export function decodeRequestTransferExitResponse(bytes: Uint8Array): Uint8Array {
  expectResponse(bytes, SID.RequestTransferExit, 1, 'RequestTransferExit');
  return bytes.slice(1);
}

export function decodeRequestTransferExitRequest(bytes: Uint8Array): { record: Uint8Array } {
  return { record: bytes.slice(1) };
}

export function encodeRequestTransferExitResponse(record: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat([SID.RequestTransferExit + 0x40], record);
}
