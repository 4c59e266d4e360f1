// WriteDataByIdentifier (0x2E): `2E <did:2> <data>` -> `6E <did:2>`.
import { UdsResponseFormatError, badLength, checkDid, concat, expectResponse, readUint } from './common.ts';
import { SID } from './sid.ts';

export function encodeWriteDataByIdentifierRequest(did: number, data: Uint8Array): Uint8Array {
  if (data.length === 0) throw new RangeError('WriteDataByIdentifier needs at least one data byte');
  return concat([SID.WriteDataByIdentifier, checkDid(did) >> 8, did & 0xff], data);
}

export function decodeWriteDataByIdentifierResponse(bytes: Uint8Array, did: number): void {
  expectResponse(bytes, SID.WriteDataByIdentifier, 3, 'WriteDataByIdentifier');
  const echoed = readUint(bytes, 1, 2);
  if (echoed !== did)
    throw new UdsResponseFormatError(
      `WriteDataByIdentifier: wrote 0x${did.toString(16)}, response names 0x${echoed.toString(16)}`,
    );
}

export function decodeWriteDataByIdentifierRequest(bytes: Uint8Array): { did: number; data: Uint8Array } {
  if (bytes.length < 4) throw badLength('WriteDataByIdentifier');
  return { did: readUint(bytes, 1, 2), data: bytes.slice(3) };
}

export function encodeWriteDataByIdentifierResponse(did: number): Uint8Array {
  return Uint8Array.of(SID.WriteDataByIdentifier + 0x40, did >> 8, did & 0xff);
}
