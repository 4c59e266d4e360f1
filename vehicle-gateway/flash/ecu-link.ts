// What the flash engine needs from a UDS connection to one ECU (physical addressing) and from the functional
// address of its bus. The engine is written against these two interfaces so it can be driven over the uds/
// UdsClient (see uds-link.ts) or a scripted fake in unit tests. A negative response is thrown as uds'
// NegativeResponseError; any other rejection means the answer did not arrive (timeout, transport error).
// The link keeps a non-default session alive itself (TesterPresent every 2 s; UdsClient does).
import type { AuthenticationExchange } from '@ota/uds';

export interface DownloadRequest {
  /** High nibble compression method, low nibble encryption method. */
  dataFormatIdentifier: number;
  address: number;
  /** Uncompressed size in bytes. */
  size: number;
}

export interface EcuLink {
  readDataByIdentifier(did: number): Promise<Uint8Array>;
  writeDataByIdentifier(did: number, data: Uint8Array): Promise<void>;
  diagnosticSessionControl(session: number): Promise<void>;
  requestSeed(level: number): Promise<Uint8Array>;
  sendKey(level: number, key: Uint8Array): Promise<void>;
  /** One Authentication (0x29) request and its decoded response. */
  authentication: AuthenticationExchange;
  /** RoutineControl startRoutine (`31 01 <rid> <option>`): the routine status record after the echoed id. */
  startRoutine(routineId: number, option?: Uint8Array): Promise<Uint8Array>;
  /** RequestDownload: maxNumberOfBlockLength (counts the SID and the block sequence counter). */
  requestDownload(request: DownloadRequest): Promise<number>;
  /** TransferData: the transferResponseParameterRecord. */
  transferData(blockSequenceCounter: number, data: Uint8Array): Promise<Uint8Array>;
  requestTransferExit(): Promise<void>;
  ecuReset(resetType: number): Promise<void>;
  clearDiagnosticInformation(groupOfDtc: number): Promise<void>;
}

/** Requests sent to every ECU of a bus at once, with the suppressPosRspMsgIndicationBit (no answer expected). */
export interface FunctionalLink {
  communicationControl(controlType: number, communicationType: number): Promise<void>;
  controlDtcSetting(settingType: number): Promise<void>;
}
