// Service identifiers of ISO 14229-1 used by this project.
export const SID = {
  DiagnosticSessionControl: 0x10,
  EcuReset: 0x11,
  ClearDiagnosticInformation: 0x14,
  ReadDtcInformation: 0x19,
  ReadDataByIdentifier: 0x22,
  SecurityAccess: 0x27,
  CommunicationControl: 0x28,
  Authentication: 0x29,
  WriteDataByIdentifier: 0x2e,
  RoutineControl: 0x31,
  RequestDownload: 0x34,
  RequestUpload: 0x35,
  TransferData: 0x36,
  RequestTransferExit: 0x37,
  TesterPresent: 0x3e,
  ControlDtcSetting: 0x85,
} as const;

export type ServiceId = (typeof SID)[keyof typeof SID];

/** Services whose second byte is a sub-function (with the suppressPosRspMsgIndicationBit). */
export const SERVICES_WITH_SUB_FUNCTION: ReadonlySet<number> = new Set([
  SID.DiagnosticSessionControl,
  SID.EcuReset,
  SID.ReadDtcInformation,
  SID.SecurityAccess,
  SID.CommunicationControl,
  SID.Authentication,
  SID.RoutineControl,
  SID.TesterPresent,
  SID.ControlDtcSetting,
]);
