// Negative response codes of ISO 14229-1 (Annex A.1), with the standard's names.

export const NRC = {
  generalReject: 0x10,
  serviceNotSupported: 0x11,
  subFunctionNotSupported: 0x12,
  incorrectMessageLengthOrInvalidFormat: 0x13,
  responseTooLong: 0x14,
  busyRepeatRequest: 0x21,
  conditionsNotCorrect: 0x22,
  requestSequenceError: 0x24,
  noResponseFromSubnetComponent: 0x25,
  failurePreventsExecutionOfRequestedAction: 0x26,
  requestOutOfRange: 0x31,
  securityAccessDenied: 0x33,
  authenticationRequired: 0x34,
  invalidKey: 0x35,
  exceededNumberOfAttempts: 0x36,
  requiredTimeDelayNotExpired: 0x37,
  // Authentication (0x29), ISO 14229-1:2020.
  certificateVerificationFailedInvalidTimePeriod: 0x50,
  certificateVerificationFailedInvalidSignature: 0x51,
  certificateVerificationFailedInvalidChainOfTrust: 0x52,
  certificateVerificationFailedInvalidType: 0x53,
  certificateVerificationFailedInvalidFormat: 0x54,
  certificateVerificationFailedInvalidContent: 0x55,
  certificateVerificationFailedInvalidScope: 0x56,
  certificateVerificationFailedInvalidCertificate: 0x57,
  ownershipVerificationFailed: 0x58,
  challengeCalculationFailed: 0x59,
  settingAccessRightsFailed: 0x5a,
  sessionKeyCreationOrDerivationFailed: 0x5b,
  configurationDataUsageFailed: 0x5c,
  deAuthenticationFailed: 0x5d,
  uploadDownloadNotAccepted: 0x70,
  transferDataSuspended: 0x71,
  generalProgrammingFailure: 0x72,
  wrongBlockSequenceCounter: 0x73,
  requestCorrectlyReceivedResponsePending: 0x78,
  subFunctionNotSupportedInActiveSession: 0x7e,
  serviceNotSupportedInActiveSession: 0x7f,
  rpmTooHigh: 0x81,
  rpmTooLow: 0x82,
  engineIsRunning: 0x83,
  engineIsNotRunning: 0x84,
  engineRunTimeTooLow: 0x85,
  temperatureTooHigh: 0x86,
  temperatureTooLow: 0x87,
  vehicleSpeedTooHigh: 0x88,
  vehicleSpeedTooLow: 0x89,
  throttlePedalTooHigh: 0x8a,
  throttlePedalTooLow: 0x8b,
  transmissionRangeNotInNeutral: 0x8c,
  transmissionRangeNotInGear: 0x8d,
  brakeSwitchNotClosed: 0x8f,
  shifterLeverNotInPark: 0x90,
  torqueConverterClutchLocked: 0x91,
  voltageTooHigh: 0x92,
  voltageTooLow: 0x93,
  resourceTemporarilyNotAvailable: 0x94,
} as const;

export type NrcName = keyof typeof NRC;

const NAMES = new Map<number, NrcName>(Object.entries(NRC).map(([name, code]) => [code, name as NrcName]));

/** The ISO name of an NRC, or a descriptive name for reserved / vehicle-manufacturer-specific codes. */
export function nrcName(code: number): string {
  const name = NAMES.get(code);
  if (name) return name;
  if (code >= 0x38 && code <= 0x4f) return `reservedByExtendedDataLinkSecurity(0x${hex(code)})`;
  if (code >= 0xf0 && code <= 0xfe) return `vehicleManufacturerSpecific(0x${hex(code)})`;
  return `isoSAEReserved(0x${hex(code)})`;
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** Thrown by the client when the server answers 0x7F; thrown by server handlers to answer one. */
export class NegativeResponseError extends Error {
  override readonly name = 'NegativeResponseError';
  readonly nrcName: string;

  constructor(
    readonly sid: number,
    readonly nrc: number,
    message?: string,
  ) {
    super(message ?? `service 0x${hex(sid)} answered negatively: ${nrcName(nrc)} (0x${hex(nrc)})`);
    this.nrcName = nrcName(nrc);
  }
}

/** What a server handler throws to answer with an NRC (the SID is filled in by the server). */
export class NegativeResponse extends Error {
  override readonly name = 'NegativeResponse';
  constructor(
    readonly nrc: number,
    message?: string,
  ) {
    super(message ?? `negative response ${nrcName(nrc)} (0x${hex(nrc)})`);
  }
}
