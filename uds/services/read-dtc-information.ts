// ReadDTCInformation (0x19), the sub-functions a reprogramming tester needs:
// 0x01 reportNumberOfDTCByStatusMask, 0x02 reportDTCByStatusMask, 0x0A reportSupportedDTC.
import { NRC, NegativeResponse } from '../nrc.ts';
import {
  UdsResponseFormatError,
  badLength,
  checkByte,
  expectResponse,
  readUint,
  subFunctionByte,
  writeUint,
} from './common.ts';
import { SID } from './sid.ts';

export const DtcReportType = {
  reportNumberOfDTCByStatusMask: 0x01,
  reportDTCByStatusMask: 0x02,
  reportSupportedDTC: 0x0a,
} as const;

export type ReadDtcRequest =
  { reportType: 0x01; statusMask: number } | { reportType: 0x02; statusMask: number } | { reportType: 0x0a };

export interface DtcRecord {
  /** 3-byte DTC number. */
  dtc: number;
  status: number;
}

export type ReadDtcResponse =
  | { reportType: 0x01; availabilityMask: number; formatIdentifier: number; count: number }
  | { reportType: 0x02 | 0x0a; availabilityMask: number; records: DtcRecord[] };

export function encodeReadDtcInformationRequest(request: ReadDtcRequest, suppressPositiveResponse = false): Uint8Array {
  const sub = subFunctionByte(request.reportType, suppressPositiveResponse);
  return request.reportType === 0x0a
    ? Uint8Array.of(SID.ReadDtcInformation, sub)
    : Uint8Array.of(SID.ReadDtcInformation, sub, checkByte(request.statusMask, 'DTCStatusMask'));
}

export function decodeReadDtcInformationResponse(bytes: Uint8Array): ReadDtcResponse {
  expectResponse(bytes, SID.ReadDtcInformation, 3, 'ReadDTCInformation');
  const reportType = bytes[1] as number;
  const availabilityMask = bytes[2] as number;
  if (reportType === 0x01) {
    if (bytes.length !== 6) throw new UdsResponseFormatError('ReadDTCInformation 0x01: response must be 6 bytes');
    return { reportType, availabilityMask, formatIdentifier: bytes[3] as number, count: readUint(bytes, 4, 2) };
  }
  if (reportType === 0x02 || reportType === 0x0a) {
    if ((bytes.length - 3) % 4 !== 0)
      throw new UdsResponseFormatError('ReadDTCInformation: DTC records are 4 bytes each');
    const records: DtcRecord[] = [];
    for (let i = 3; i < bytes.length; i += 4)
      records.push({ dtc: readUint(bytes, i, 3), status: bytes[i + 3] as number });
    return { reportType, availabilityMask, records };
  }
  throw new UdsResponseFormatError(`ReadDTCInformation: report type 0x${reportType.toString(16)} not supported here`);
}

export function decodeReadDtcInformationRequest(bytes: Uint8Array): ReadDtcRequest {
  const reportType = ((bytes[1] ?? 0) as number) & 0x7f;
  if (reportType === 0x01 || reportType === 0x02) {
    if (bytes.length !== 3) throw badLength('ReadDTCInformation');
    return { reportType, statusMask: bytes[2] as number };
  }
  if (reportType === 0x0a) {
    if (bytes.length !== 2) throw badLength('ReadDTCInformation');
    return { reportType };
  }
  throw new NegativeResponse(NRC.subFunctionNotSupported);
}

export function encodeReadDtcInformationResponse(response: ReadDtcResponse): Uint8Array {
  const head = [SID.ReadDtcInformation + 0x40, response.reportType, response.availabilityMask];
  if (response.reportType === 0x01) {
    return Uint8Array.from([...head, response.formatIdentifier, ...writeUint(response.count, 2, 'DTC count')]);
  }
  return Uint8Array.from([
    ...head,
    ...response.records.flatMap((r) => [...writeUint(r.dtc, 3, 'DTC'), r.status & 0xff]),
  ]);
}
