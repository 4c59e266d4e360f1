import { describe, expect, it } from 'vitest';
import { bytes, hex, nrcOf } from './codec-test-helpers.ts';
import { RoutineId } from '../profile/index.ts';
import * as s from './index.ts';

describe('service codecs, byte-exact (flash-protocol.md sequence)', () => {
  it('0x10 DiagnosticSessionControl', () => {
    expect(hex(s.encodeDiagnosticSessionControlRequest(0x03))).toBe('1003');
    expect(hex(s.encodeDiagnosticSessionControlRequest(0x02, true))).toBe('1082');
    expect(hex(s.encodeDiagnosticSessionControlResponse(0x02, { p2ServerMs: 50, p2StarServerMs: 5000 }))).toBe(
      '5002003201F4',
    );
    expect(s.decodeDiagnosticSessionControlResponse(bytes('5003003201F4'))).toEqual({
      session: 3,
      p2ServerMs: 50,
      p2StarServerMs: 5000,
    });
    expect(s.decodeDiagnosticSessionControlRequest(bytes('1083'))).toEqual({ session: 3 });
    expect(nrcOf(() => s.decodeDiagnosticSessionControlRequest(bytes('100300')))).toBe(0x13);
    expect(() => s.decodeDiagnosticSessionControlResponse(bytes('500300'))).toThrow(s.UdsResponseFormatError);
  });

  it('0x11 ECUReset', () => {
    expect(hex(s.encodeEcuResetRequest(s.ResetType.hardReset))).toBe('1101');
    expect(hex(s.encodeEcuResetResponse(0x01))).toBe('5101');
    expect(hex(s.encodeEcuResetResponse(0x04, 0x0a))).toBe('51040A');
    expect(s.decodeEcuResetResponse(bytes('51040A'))).toEqual({ resetType: 4, powerDownTimeS: 10 });
    expect(s.decodeEcuResetRequest(bytes('1181'))).toEqual({ resetType: 1 });
  });

  it('0x14 ClearDiagnosticInformation', () => {
    expect(hex(s.encodeClearDiagnosticInformationRequest())).toBe('14FFFFFF');
    expect(hex(s.encodeClearDiagnosticInformationRequest(0x000100, 0x01))).toBe('1400010001');
    expect(s.decodeClearDiagnosticInformationRequest(bytes('14FFFFFF'))).toEqual({
      groupOfDtc: 0xffffff,
      memorySelection: null,
    });
    expect(hex(s.encodeClearDiagnosticInformationResponse())).toBe('54');
    expect(nrcOf(() => s.decodeClearDiagnosticInformationRequest(bytes('14FFFF')))).toBe(0x13);
  });

  it('0x19 ReadDTCInformation', () => {
    expect(hex(s.encodeReadDtcInformationRequest({ reportType: 0x02, statusMask: 0x09 }))).toBe('190209');
    expect(hex(s.encodeReadDtcInformationRequest({ reportType: 0x0a }))).toBe('190A');
    expect(hex(s.encodeReadDtcInformationRequest({ reportType: 0x01, statusMask: 0xff }))).toBe('1901FF');
    const records = [
      { dtc: 0x123456, status: 0x09 },
      { dtc: 0xc15500, status: 0x2f },
    ];
    const response = s.encodeReadDtcInformationResponse({ reportType: 0x02, availabilityMask: 0xff, records });
    expect(hex(response)).toBe('5902FF12345609C155002F');
    expect(s.decodeReadDtcInformationResponse(response)).toEqual({ reportType: 2, availabilityMask: 0xff, records });
    const count = s.encodeReadDtcInformationResponse({
      reportType: 0x01,
      availabilityMask: 0xff,
      formatIdentifier: 1,
      count: 2,
    });
    expect(hex(count)).toBe('5901FF010002');
    expect(s.decodeReadDtcInformationResponse(count)).toMatchObject({ count: 2 });
    expect(s.decodeReadDtcInformationRequest(bytes('190209'))).toEqual({ reportType: 2, statusMask: 9 });
    expect(nrcOf(() => s.decodeReadDtcInformationRequest(bytes('1903')))).toBe(0x12);
    expect(() => s.decodeReadDtcInformationResponse(bytes('5902FF123456'))).toThrow(s.UdsResponseFormatError);
  });

  it('0x22 ReadDataByIdentifier', () => {
    expect(hex(s.encodeReadDataByIdentifierRequest([0xf190]))).toBe('22F190');
    expect(hex(s.encodeReadDataByIdentifierRequest([0xf18c, 0x0100]))).toBe('22F18C0100');
    const vin = new TextEncoder().encode('WVWZZZ1JZXW000001');
    const response = s.encodeReadDataByIdentifierResponse([{ did: 0xf190, data: vin }]);
    expect(hex(response.subarray(0, 3))).toBe('62F190');
    expect(new TextDecoder().decode(s.decodeReadDataByIdentifierResponse(response, 0xf190))).toBe('WVWZZZ1JZXW000001');
    expect(() => s.decodeReadDataByIdentifierResponse(response, 0xf18c)).toThrow(/0xf18c/);
    const multi = s.encodeReadDataByIdentifierResponse([
      { did: 0x0100, data: bytes('2F44') },
      { did: 0x0102, data: bytes('02') },
    ]);
    expect(hex(multi)).toBe('6201002F44010202');
    expect(
      s
        .decodeReadDataByIdentifiersResponse(multi, [
          { did: 0x0100, length: 2 },
          { did: 0x0102, length: 1 },
        ])
        .map((r) => hex(r.data)),
    ).toEqual(['2F44', '02']);
    expect(s.decodeReadDataByIdentifierRequest(bytes('22F190F18C'))).toEqual({ dids: [0xf190, 0xf18c] });
    expect(nrcOf(() => s.decodeReadDataByIdentifierRequest(bytes('22F1')))).toBe(0x13);
  });

  it('0x27 SecurityAccess', () => {
    expect(hex(s.encodeRequestSeedRequest(0x11))).toBe('2711');
    expect(hex(s.encodeSendKeyRequest(0x11, bytes('00112233')))).toBe('271200112233');
    expect(() => s.encodeRequestSeedRequest(0x12)).toThrow(/odd/);
    expect(hex(s.encodeRequestSeedResponse(0x11, bytes('A1A2')))).toBe('6711A1A2');
    expect(hex(s.decodeRequestSeedResponse(bytes('6711A1A2'), 0x11))).toBe('A1A2');
    expect(hex(s.encodeSendKeyResponse(0x11))).toBe('6712');
    expect(() => s.decodeSendKeyResponse(bytes('6714'), 0x11)).toThrow(/echoes/);
    expect(s.decodeSecurityAccessRequest(bytes('2712AABB'))).toEqual({
      kind: 'sendKey',
      level: 0x11,
      key: bytes('AABB'),
    });
    expect(s.decodeSecurityAccessRequest(bytes('2711'))).toEqual({
      kind: 'requestSeed',
      level: 0x11,
      record: new Uint8Array(0),
    });
    expect(nrcOf(() => s.decodeSecurityAccessRequest(bytes('2712')))).toBe(0x13);
  });

  it('0x28 CommunicationControl', () => {
    expect(hex(s.encodeCommunicationControlRequest(0x03, 0x01, { suppressPositiveResponse: true }))).toBe('288301');
    expect(hex(s.encodeCommunicationControlRequest(0x00, 0x01))).toBe('280001');
    expect(hex(s.encodeCommunicationControlRequest(0x04, 0x01, { nodeId: 0x1234 }))).toBe('2804011234');
    expect(s.decodeCommunicationControlRequest(bytes('288301'))).toEqual({
      controlType: 3,
      communicationType: 1,
      nodeId: null,
    });
    expect(hex(s.encodeCommunicationControlResponse(0x03))).toBe('6803');
    expect(nrcOf(() => s.decodeCommunicationControlRequest(bytes('2804')))).toBe(0x13);
  });

  it('0x2E WriteDataByIdentifier', () => {
    expect(hex(s.encodeWriteDataByIdentifierRequest(0xf15a, bytes('0102')))).toBe('2EF15A0102');
    expect(hex(s.encodeWriteDataByIdentifierResponse(0xf15a))).toBe('6EF15A');
    expect(() => s.decodeWriteDataByIdentifierResponse(bytes('6EF15A'), 0xf15a)).not.toThrow();
    expect(s.decodeWriteDataByIdentifierRequest(bytes('2EF15A0102'))).toEqual({ did: 0xf15a, data: bytes('0102') });
    expect(nrcOf(() => s.decodeWriteDataByIdentifierRequest(bytes('2EF15A')))).toBe(0x13);
  });

  it('0x31 RoutineControl', () => {
    const erase = s.encodeRoutineControlRequest(1, RoutineId.eraseMemory, bytes('44 00010000 00040000'));
    expect(hex(erase)).toBe('3101FF00440001000000040000');
    expect(hex(s.encodeRoutineControlRequest(1, 0x0203))).toBe('31010203');
    expect(hex(s.encodeRoutineControlResponse(1, 0xff00, bytes('00')))).toBe('7101FF0000');
    expect(hex(s.decodeRoutineControlResponse(bytes('7101FF0000'), 1, 0xff00))).toBe('00');
    expect(() => s.decodeRoutineControlResponse(bytes('7101FF0100'), 1, 0xff00)).toThrow(s.UdsResponseFormatError);
    expect(s.decodeRoutineControlRequest(bytes('3101020200'))).toEqual({
      type: 1,
      routineId: 0x0202,
      optionRecord: bytes('00'),
    });
    expect(nrcOf(() => s.decodeRoutineControlRequest(bytes('3104FF00')))).toBe(0x12);
  });

  it('0x34 RequestDownload / 0x35 RequestUpload', () => {
    const req = { dataFormatIdentifier: 0x00, address: 0x00010000, size: 0x00040000 };
    expect(hex(s.encodeRequestDownloadRequest(req))).toBe('3400440001000000040000');
    expect(hex(s.encodeRequestUploadRequest({ ...req, addressLength: 3, sizeLength: 2, size: 0x100 }))).toBe(
      '350023010000 0100'.replace(' ', ''),
    );
    expect(hex(s.encodeRequestDownloadResponse(0x0802))).toBe('74200802');
    expect(s.decodeRequestDownloadResponse(bytes('74200802'))).toEqual({ maxNumberOfBlockLength: 0x802 });
    expect(s.decodeRequestDownloadRequest(bytes('3410440001000000040000'))).toEqual({
      ...req,
      dataFormatIdentifier: 0x10,
      addressLength: 4,
      sizeLength: 4,
    });
    expect(nrcOf(() => s.decodeRequestDownloadRequest(bytes('340044000100000004')))).toBe(0x13);
    expect(nrcOf(() => s.decodeRequestDownloadRequest(bytes('340055000000000000000000')))).toBe(0x31);
    expect(() => s.encodeRequestDownloadRequest({ ...req, size: 2 ** 32 })).toThrow(/does not fit/);
    expect(() => s.decodeRequestDownloadResponse(bytes('743008'))).toThrow(s.UdsResponseFormatError);
  });

  it('0x36 TransferData / 0x37 RequestTransferExit', () => {
    expect(hex(s.encodeTransferDataRequest(0x01, bytes('DEADBEEF')))).toBe('3601DEADBEEF');
    expect(hex(s.encodeTransferDataResponse(0x01))).toBe('7601');
    expect(s.decodeTransferDataRequest(bytes('36FF00'))).toEqual({ blockSequenceCounter: 0xff, data: bytes('00') });
    expect(() => s.decodeTransferDataResponse(bytes('7602'), 0x01)).toThrow(/block/);
    expect([0x01, 0xfe, 0xff].map(s.nextBlockSequenceCounter)).toEqual([0x02, 0xff, 0x00]);
    expect(hex(s.encodeRequestTransferExitRequest())).toBe('37');
    expect(hex(s.encodeRequestTransferExitResponse(bytes('AB')))).toBe('77AB');
    expect(hex(s.decodeRequestTransferExitResponse(bytes('77AB')))).toBe('AB');
  });

  it('0x3E TesterPresent, 0x85 ControlDTCSetting, 0x7F negative response', () => {
    expect(hex(s.encodeTesterPresentRequest())).toBe('3E80');
    expect(hex(s.encodeTesterPresentRequest(false))).toBe('3E00');
    expect(hex(s.encodeTesterPresentResponse())).toBe('7E00');
    expect(nrcOf(() => s.decodeTesterPresentRequest(bytes('3E01')))).toBe(0x12);
    expect(hex(s.encodeControlDtcSettingRequest(s.DtcSettingType.off, true))).toBe('8582');
    expect(hex(s.encodeControlDtcSettingResponse(0x01))).toBe('C501');
    expect(s.decodeControlDtcSettingRequest(bytes('8581'))).toEqual({ type: 1, record: new Uint8Array(0) });
    expect(hex(s.encodeNegativeResponse(0x27, 0x35))).toBe('7F2735');
    expect(s.decodeNegativeResponse(bytes('7F3178'))).toEqual({ sid: 0x31, nrc: 0x78 });
    expect(s.decodeNegativeResponse(bytes('7101'))).toBeNull();
  });
});
