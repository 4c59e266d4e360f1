// ReadDataByIdentifier (0x22): `22 <did:2>...` -> `62 (<did:2> <data>)...`.
import { UdsResponseFormatError, badLength, checkDid, concat, expectResponse, readUint } from './common.ts';
import { SID } from './sid.ts';

export interface DataRecord {
  did: number;
  data: Uint8Array;
}

export function encodeReadDataByIdentifierRequest(dids: readonly number[]): Uint8Array {
  if (dids.length === 0) throw new RangeError('ReadDataByIdentifier needs at least one identifier');
  return Uint8Array.from([SID.ReadDataByIdentifier, ...dids.flatMap((d) => [checkDid(d) >> 8, d & 0xff])]);
}

/** Response to a single-identifier request: the data after the echoed identifier. */
export function decodeReadDataByIdentifierResponse(bytes: Uint8Array, did: number): Uint8Array {
  expectResponse(bytes, SID.ReadDataByIdentifier, 3, 'ReadDataByIdentifier');
  const echoed = readUint(bytes, 1, 2);
  if (echoed !== did) {
    throw new UdsResponseFormatError(
      `ReadDataByIdentifier: asked for 0x${did.toString(16)}, got 0x${echoed.toString(16)}`,
    );
  }
  return bytes.slice(3);
}

/** Response to a multi-identifier request; the record lengths are not on the wire, so the caller knows them. */
export function decodeReadDataByIdentifiersResponse(
  bytes: Uint8Array,
  requested: readonly { did: number; length: number }[],
): DataRecord[] {
  expectResponse(bytes, SID.ReadDataByIdentifier, 1, 'ReadDataByIdentifier');
  const records: DataRecord[] = [];
  let offset = 1;
  for (const { did, length } of requested) {
    if (offset + 2 + length > bytes.length || readUint(bytes, offset, 2) !== did) {
      throw new UdsResponseFormatError(
        `ReadDataByIdentifier: record 0x${did.toString(16)} missing or short at byte ${offset}`,
      );
    }
    records.push({ did, data: bytes.slice(offset + 2, offset + 2 + length) });
    offset += 2 + length;
  }
  if (offset !== bytes.length)
    throw new UdsResponseFormatError('ReadDataByIdentifier: trailing bytes after the last record');
  return records;
}

export function decodeReadDataByIdentifierRequest(bytes: Uint8Array): { dids: number[] } {
  if (bytes.length < 3 || (bytes.length - 1) % 2 !== 0) throw badLength('ReadDataByIdentifier');
  const dids: number[] = [];
  for (let i = 1; i < bytes.length; i += 2) dids.push(readUint(bytes, i, 2));
  return { dids };
}

export function encodeReadDataByIdentifierResponse(records: readonly DataRecord[]): Uint8Array {
  const parts = records.map((r) => concat([r.did >> 8, r.did & 0xff], r.data));
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
  out[0] = SID.ReadDataByIdentifier + 0x40;
  let offset = 1;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
