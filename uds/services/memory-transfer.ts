// RequestDownload (0x34) / RequestUpload (0x35), which share a layout:
// `34 <dataFormatIdentifier> <addressAndLengthFormatIdentifier> <address> <size>`
// -> `74 <lengthFormatIdentifier> <maxNumberOfBlockLength>` (the length counts SID and block counter).
import { NRC, NegativeResponse } from '../nrc.ts';
import { UdsResponseFormatError, badLength, checkByte, expectResponse, readUint, writeUint } from './common.ts';
import { SID } from './sid.ts';

export interface MemoryTransferRequest {
  /** High nibble compression method, low nibble encryption method (0 = none). */
  dataFormatIdentifier: number;
  address: number;
  size: number;
  /** Bytes used for address and size on the wire (1..4). Default 4 and 4 (ALFID 0x44). */
  addressLength?: number;
  sizeLength?: number;
}

type TransferSid = typeof SID.RequestDownload | typeof SID.RequestUpload;

function encodeRequest(sid: TransferSid, r: MemoryTransferRequest): Uint8Array {
  const addressLength = r.addressLength ?? 4;
  const sizeLength = r.sizeLength ?? 4;
  for (const [what, n] of [
    ['addressLength', addressLength],
    ['sizeLength', sizeLength],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > 4) throw new RangeError(`${what} must be 1..4 bytes, not ${n}`);
  }
  return Uint8Array.from([
    sid,
    checkByte(r.dataFormatIdentifier, 'dataFormatIdentifier'),
    (sizeLength << 4) | addressLength,
    ...writeUint(r.address, addressLength, 'memoryAddress'),
    ...writeUint(r.size, sizeLength, 'memorySize'),
  ]);
}

function decodeResponse(sid: TransferSid, bytes: Uint8Array, what: string): { maxNumberOfBlockLength: number } {
  expectResponse(bytes, sid, 3, what);
  const n = (bytes[1] as number) >> 4;
  if (n < 1 || n > 4 || bytes.length !== 2 + n)
    throw new UdsResponseFormatError(`${what}: bad lengthFormatIdentifier 0x${(bytes[1] as number).toString(16)}`);
  return { maxNumberOfBlockLength: readUint(bytes, 2, n) };
}

/** Server side. Address / size fields over 4 bytes are out of range for this project (32-bit memory). */
function decodeRequest(bytes: Uint8Array, what: string): Required<MemoryTransferRequest> {
  if (bytes.length < 5) throw badLength(what);
  const alfid = bytes[2] as number;
  const addressLength = alfid & 0x0f;
  const sizeLength = alfid >> 4;
  if (addressLength === 0 || sizeLength === 0 || addressLength > 4 || sizeLength > 4) {
    throw new NegativeResponse(
      NRC.requestOutOfRange,
      `${what}: addressAndLengthFormatIdentifier 0x${alfid.toString(16)} not supported`,
    );
  }
  if (bytes.length !== 3 + addressLength + sizeLength) throw badLength(what);
  return {
    dataFormatIdentifier: bytes[1] as number,
    addressLength,
    sizeLength,
    address: readUint(bytes, 3, addressLength),
    size: readUint(bytes, 3 + addressLength, sizeLength),
  };
}

function encodeResponse(sid: TransferSid, maxNumberOfBlockLength: number, lengthBytes = 2): Uint8Array {
  return Uint8Array.from([
    sid + 0x40,
    lengthBytes << 4,
    ...writeUint(maxNumberOfBlockLength, lengthBytes, 'maxNumberOfBlockLength'),
  ]);
}

export const encodeRequestDownloadRequest = (r: MemoryTransferRequest): Uint8Array =>
  encodeRequest(SID.RequestDownload, r);
export const decodeRequestDownloadResponse = (b: Uint8Array): { maxNumberOfBlockLength: number } =>
  decodeResponse(SID.RequestDownload, b, 'RequestDownload');
export const decodeRequestDownloadRequest = (b: Uint8Array): Required<MemoryTransferRequest> =>
  decodeRequest(b, 'RequestDownload');
export const encodeRequestDownloadResponse = (max: number, lengthBytes = 2): Uint8Array =>
  encodeResponse(SID.RequestDownload, max, lengthBytes);

export const encodeRequestUploadRequest = (r: MemoryTransferRequest): Uint8Array => encodeRequest(SID.RequestUpload, r);
export const decodeRequestUploadResponse = (b: Uint8Array): { maxNumberOfBlockLength: number } =>
  decodeResponse(SID.RequestUpload, b, 'RequestUpload');
export const decodeRequestUploadRequest = (b: Uint8Array): Required<MemoryTransferRequest> =>
  decodeRequest(b, 'RequestUpload');
export const encodeRequestUploadResponse = (max: number, lengthBytes = 2): Uint8Array =>
  encodeResponse(SID.RequestUpload, max, lengthBytes);
