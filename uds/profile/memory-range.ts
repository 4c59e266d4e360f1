// The memory-range record of eraseMemory (31 01 FF00) and copyFromActiveBank (31 01 0206):
// `<addressAndLengthFormatIdentifier> <address> <size>`, laid out as in RequestDownload. The tester always
// sends 4-byte address and size (0x44); an ECU accepts 1..4 bytes of each.
import { NRC, NegativeResponse } from '../nrc.ts';
import { readUint, writeUint } from '../services/common.ts';

export interface MemoryRange {
  address: number;
  size: number;
}

/** addressAndLengthFormatIdentifier of the records the tester sends: 4-byte address, 4-byte size. */
export const ADDRESS_AND_LENGTH_FORMAT = 0x44;

export function encodeMemoryRange(address: number, size: number): Uint8Array {
  return Uint8Array.from([
    ADDRESS_AND_LENGTH_FORMAT,
    ...writeUint(address, 4, 'memoryAddress'),
    ...writeUint(size, 4, 'memorySize'),
  ]);
}

/** Server side: a malformed record is a negative response (0x13 length, 0x31 format identifier). */
export function decodeMemoryRange(record: Uint8Array): MemoryRange {
  if (record.length < 1) throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, 'memory range missing');
  const alfid = record[0] as number;
  const addressLength = alfid & 0x0f;
  const sizeLength = alfid >> 4;
  if (addressLength < 1 || addressLength > 4 || sizeLength < 1 || sizeLength > 4) {
    throw new NegativeResponse(NRC.requestOutOfRange, `addressAndLengthFormatIdentifier 0x${alfid.toString(16)}`);
  }
  if (record.length !== 1 + addressLength + sizeLength) {
    throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, 'memory range length');
  }
  return { address: readUint(record, 1, addressLength), size: readUint(record, 1 + addressLength, sizeLength) };
}
