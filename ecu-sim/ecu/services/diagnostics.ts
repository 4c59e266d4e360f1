// The diagnostic services around programming: ClearDiagnosticInformation (0x14), ReadDTCInformation (0x19),
// CommunicationControl (0x28), TesterPresent (0x3E), ControlDTCSetting (0x85).
import {
  ALL_DTC_GROUPS,
  DiagnosticSession,
  DtcSettingType,
  NRC,
  NegativeResponse,
  SID,
  decodeClearDiagnosticInformationRequest,
  decodeCommunicationControlRequest,
  decodeControlDtcSettingRequest,
  decodeReadDtcInformationRequest,
  decodeTesterPresentRequest,
  encodeClearDiagnosticInformationResponse,
  encodeCommunicationControlResponse,
  encodeControlDtcSettingResponse,
  encodeReadDtcInformationResponse,
  encodeTesterPresentResponse,
  type ServiceDefinition,
} from '@ota/uds';
import { DTC_STATUS_AVAILABILITY_MASK } from '../dtc-codes.ts';
import type { EcuContext } from '../ecu-context.ts';

const { programming, extended } = DiagnosticSession;
const withoutProgramming = [DiagnosticSession.default, extended];

export function diagnosticServices(ecu: EcuContext): ServiceDefinition[] {
  return [
    {
      sid: SID.ClearDiagnosticInformation,
      sessions: withoutProgramming,
      minLength: 4,
      handler: (request) => {
        const { groupOfDtc, memorySelection } = decodeClearDiagnosticInformationRequest(request);
        const known = ecu.memory.state.dtcs.some((d) => d.code === groupOfDtc);
        if (memorySelection !== null || (groupOfDtc !== ALL_DTC_GROUPS && !known)) {
          throw new NegativeResponse(NRC.requestOutOfRange, 'unknown DTC group or memory');
        }
        ecu.memory.update((s) => {
          s.dtcs = groupOfDtc === ALL_DTC_GROUPS ? [] : s.dtcs.filter((d) => d.code !== groupOfDtc);
        });
        return encodeClearDiagnosticInformationResponse();
      },
    },
    {
      sid: SID.ReadDtcInformation,
      sessions: withoutProgramming,
      subFunctions: { 0x01: {}, 0x02: {}, 0x0a: {} },
      handler: (request) => {
        const r = decodeReadDtcInformationRequest(request);
        const dtcs = ecu.memory.state.dtcs;
        const availabilityMask = DTC_STATUS_AVAILABILITY_MASK;
        if (r.reportType === 0x0a) {
          return encodeReadDtcInformationResponse({ reportType: 0x0a, availabilityMask, records: toRecords(dtcs) });
        }
        const matching = dtcs.filter((d) => (d.status & r.statusMask & availabilityMask) !== 0);
        if (r.reportType === 0x01) {
          // formatIdentifier 0x01: ISO 14229-1 DTC format
          return encodeReadDtcInformationResponse({
            reportType: 0x01,
            availabilityMask,
            formatIdentifier: 0x01,
            count: matching.length,
          });
        }
        return encodeReadDtcInformationResponse({ reportType: 0x02, availabilityMask, records: toRecords(matching) });
      },
    },
    {
      sid: SID.CommunicationControl,
      sessions: [extended, programming],
      subFunctions: { 0x00: {}, 0x01: {}, 0x02: {}, 0x03: {} },
      handler: (request) => {
        const { controlType, communicationType } = decodeCommunicationControlRequest(request);
        const kind = communicationType & 0x03;
        if (kind === 0 || (communicationType & 0x0c) !== 0) {
          throw new NegativeResponse(NRC.requestOutOfRange, `communicationType 0x${communicationType.toString(16)}`);
        }
        ecu.communicationControlType = controlType;
        return encodeCommunicationControlResponse(controlType);
      },
    },
    {
      sid: SID.TesterPresent,
      subFunctions: { 0x00: {} },
      handler: (request) => {
        decodeTesterPresentRequest(request);
        return encodeTesterPresentResponse();
      },
    },
    {
      sid: SID.ControlDtcSetting,
      sessions: [extended, programming],
      subFunctions: { [DtcSettingType.on]: {}, [DtcSettingType.off]: {} },
      handler: (request) => {
        const { type } = decodeControlDtcSettingRequest(request);
        ecu.dtcSettingOn = type === DtcSettingType.on;
        return encodeControlDtcSettingResponse(type);
      },
    },
  ];
}

function toRecords(dtcs: readonly { code: number; status: number }[]): { dtc: number; status: number }[] {
  return dtcs.map((d) => ({ dtc: d.code, status: d.status }));
}
