// Negative response codes of ISO 14229-1 (Annex A.1), with the standard's names: shared by the UDS
// library, which sends and reads them, and the backend, which shows the ones vehicles report.

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
  if (code >= 0x38 && code <= 0x4f) return `reservedByExtendedDataLinkSecurity(0x${nrcHex(code)})`;
  if (code >= 0xf0 && code <= 0xfe) return `vehicleManufacturerSpecific(0x${nrcHex(code)})`;
  return `isoSAEReserved(0x${nrcHex(code)})`;
}

/** Two upper-case hex digits: 0x72 -> "72". */
export function nrcHex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
