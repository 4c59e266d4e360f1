// UdsClient: one method per ISO 14229-1 service used by the gateway, plus `download()` (RequestDownload,
// TransferData blocks, RequestTransferExit) for flashing one region. Encoding lives in ../services/.
import { IsoTpTimeoutError } from '../isotp/errors.ts';
import { computeSecurityKey } from '../security-key.ts';
import * as svc from '../services/index.ts';
import { UdsTimeoutError } from './errors.ts';
import { UdsRequester, type RequestOptions } from './requester.ts';

export interface DownloadOptions {
  address: number;
  data: Uint8Array;
  /** High nibble compression, low nibble encryption. Default 0x00. */
  dataFormatIdentifier?: number;
  /** Size announced in RequestDownload (the uncompressed size). Default data.length. */
  uncompressedSize?: number;
  /** TransferData repetitions of the same block (same counter) after a response timeout. Default 2. */
  retries?: number;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}

export class UdsClient extends UdsRequester {
  private async send(request: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array | null> {
    return this.request(request, { functional: opts.functional ?? false });
  }

  private async sendExpectingResponse(request: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    const response = await this.send(request, opts);
    if (response === null) throw new Error('internal: a response was expected');
    return response;
  }

  async diagnosticSessionControl(
    session: number,
    opts: RequestOptions = {},
  ): Promise<svc.DiagnosticSessionResponse | null> {
    const response = await this.send(
      svc.encodeDiagnosticSessionControlRequest(session, opts.suppressPositiveResponse),
      opts,
    );
    if (response === null) {
      this.enteredSession(session);
      return null;
    }
    return svc.decodeDiagnosticSessionControlResponse(response);
  }

  async ecuReset(
    resetType: number,
    opts: RequestOptions = {},
  ): Promise<{ resetType: number; powerDownTimeS: number | null } | null> {
    const response = await this.send(svc.encodeEcuResetRequest(resetType, opts.suppressPositiveResponse), opts);
    if (response === null) {
      this.enteredSession(svc.DiagnosticSession.default);
      return null;
    }
    return svc.decodeEcuResetResponse(response);
  }

  async clearDiagnosticInformation(groupOfDtc = svc.ALL_DTC_GROUPS, opts: RequestOptions = {}): Promise<void> {
    svc.decodeClearDiagnosticInformationResponse(
      await this.sendExpectingResponse(svc.encodeClearDiagnosticInformationRequest(groupOfDtc), opts),
    );
  }

  async readDtcInformation(
    request: svc.ReadDtcRequest,
    opts: RequestOptions = {},
  ): Promise<svc.ReadDtcResponse | null> {
    const response = await this.send(svc.encodeReadDtcInformationRequest(request, opts.suppressPositiveResponse), opts);
    return response === null ? null : svc.decodeReadDtcInformationResponse(response);
  }

  async readDataByIdentifier(did: number, opts: RequestOptions = {}): Promise<Uint8Array> {
    return svc.decodeReadDataByIdentifierResponse(
      await this.sendExpectingResponse(svc.encodeReadDataByIdentifierRequest([did]), opts),
      did,
    );
  }

  /** Several identifiers in one request; their lengths must be known to split the answer. */
  async readDataByIdentifiers(
    records: readonly { did: number; length: number }[],
    opts: RequestOptions = {},
  ): Promise<svc.DataRecord[]> {
    const request = svc.encodeReadDataByIdentifierRequest(records.map((r) => r.did));
    return svc.decodeReadDataByIdentifiersResponse(await this.sendExpectingResponse(request, opts), records);
  }

  /** SecurityAccess requestSeed; `level` is the odd requestSeed sub-function (e.g. 0x11). */
  async requestSeed(level: number, record?: Uint8Array): Promise<Uint8Array> {
    return svc.decodeRequestSeedResponse(
      await this.sendExpectingResponse(svc.encodeRequestSeedRequest(level, record)),
      level,
    );
  }

  /** SecurityAccess sendKey for `level` (the requestSeed value; the sub-function sent is level + 1). */
  async sendKey(level: number, key: Uint8Array): Promise<void> {
    svc.decodeSendKeyResponse(await this.sendExpectingResponse(svc.encodeSendKeyRequest(level, key)), level);
  }

  /** requestSeed + sendKey with the project's HMAC key derivation; an all-zero seed means already unlocked. */
  async unlock(level: number, secret: Uint8Array): Promise<void> {
    const seed = await this.requestSeed(level);
    if (seed.every((b) => b === 0)) return;
    await this.sendKey(level, computeSecurityKey(secret, seed));
  }

  /** One Authentication (0x29) exchange; the response is decoded for the request's sub-function. */
  async authentication<R extends svc.AuthenticationRequest>(
    request: R,
  ): Promise<Extract<svc.AuthenticationResponse, { task: R['task'] }>> {
    const response = await this.sendExpectingResponse(svc.encodeAuthenticationRequest(request));
    return svc.decodeAuthenticationResponse(response, request.task as R['task']);
  }

  async communicationControl(
    controlType: number,
    communicationType: number,
    opts: RequestOptions & { nodeId?: number } = {},
  ): Promise<{ controlType: number } | null> {
    const request = svc.encodeCommunicationControlRequest(controlType, communicationType, opts);
    const response = await this.send(request, opts);
    return response === null ? null : svc.decodeCommunicationControlResponse(response);
  }

  async writeDataByIdentifier(did: number, data: Uint8Array, opts: RequestOptions = {}): Promise<void> {
    svc.decodeWriteDataByIdentifierResponse(
      await this.sendExpectingResponse(svc.encodeWriteDataByIdentifierRequest(did, data), opts),
      did,
    );
  }

  /** Returns the routine status record (bytes after the routine identifier), or null when suppressed. */
  async routineControl(
    type: svc.RoutineControlType,
    routineId: number,
    optionRecord?: Uint8Array,
    opts: RequestOptions = {},
  ): Promise<Uint8Array | null> {
    const response = await this.send(
      svc.encodeRoutineControlRequest(type, routineId, optionRecord, opts.suppressPositiveResponse),
      opts,
    );
    return response === null ? null : svc.decodeRoutineControlResponse(response, type, routineId);
  }

  async startRoutine(
    routineId: number,
    optionRecord?: Uint8Array,
    opts: RequestOptions = {},
  ): Promise<Uint8Array | null> {
    return this.routineControl(svc.RoutineControlType.startRoutine, routineId, optionRecord, opts);
  }

  async stopRoutine(
    routineId: number,
    optionRecord?: Uint8Array,
    opts: RequestOptions = {},
  ): Promise<Uint8Array | null> {
    return this.routineControl(svc.RoutineControlType.stopRoutine, routineId, optionRecord, opts);
  }

  async requestRoutineResults(routineId: number, opts: RequestOptions = {}): Promise<Uint8Array | null> {
    return this.routineControl(svc.RoutineControlType.requestRoutineResults, routineId, undefined, opts);
  }

  async requestDownload(request: svc.MemoryTransferRequest): Promise<{ maxNumberOfBlockLength: number }> {
    return svc.decodeRequestDownloadResponse(
      await this.sendExpectingResponse(svc.encodeRequestDownloadRequest(request)),
    );
  }

  async requestUpload(request: svc.MemoryTransferRequest): Promise<{ maxNumberOfBlockLength: number }> {
    return svc.decodeRequestUploadResponse(await this.sendExpectingResponse(svc.encodeRequestUploadRequest(request)));
  }

  /** Returns the transferResponseParameterRecord (uploaded data for RequestUpload). */
  async transferData(blockSequenceCounter: number, data: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const response = await this.sendExpectingResponse(svc.encodeTransferDataRequest(blockSequenceCounter, data));
    return svc.decodeTransferDataResponse(response, blockSequenceCounter);
  }

  async requestTransferExit(record?: Uint8Array): Promise<Uint8Array> {
    return svc.decodeRequestTransferExitResponse(
      await this.sendExpectingResponse(svc.encodeRequestTransferExitRequest(record)),
    );
  }

  async testerPresent(opts: RequestOptions = { suppressPositiveResponse: true }): Promise<void> {
    const response = await this.send(svc.encodeTesterPresentRequest(opts.suppressPositiveResponse ?? false), opts);
    if (response !== null) svc.decodeTesterPresentResponse(response);
  }

  async controlDtcSetting(type: number, opts: RequestOptions = {}): Promise<{ type: number } | null> {
    const response = await this.send(svc.encodeControlDtcSettingRequest(type, opts.suppressPositiveResponse), opts);
    return response === null ? null : svc.decodeControlDtcSettingResponse(response);
  }

  /**
   * RequestDownload, TransferData in blocks of maxNumberOfBlockLength - 2 (counter from 0x01, wrapping
   * 0xFF -> 0x00), RequestTransferExit. A block whose response timed out is repeated with the same counter
   * (the server acknowledges a repeat without writing twice), also when ISO-TP timed out sending it.
   * Returns the exit's response record.
   */
  async download(options: DownloadOptions): Promise<Uint8Array> {
    const { data } = options;
    const { maxNumberOfBlockLength } = await this.requestDownload({
      dataFormatIdentifier: options.dataFormatIdentifier ?? 0,
      address: options.address,
      size: options.uncompressedSize ?? data.length,
    });
    const blockLength = maxNumberOfBlockLength - 2;
    if (blockLength < 1)
      throw new Error(`server's maxNumberOfBlockLength ${maxNumberOfBlockLength} leaves no room for data`);
    const retries = options.retries ?? 2;
    let counter = 0x01;
    for (let offset = 0; offset < data.length; offset += blockLength) {
      const block = data.subarray(offset, Math.min(offset + blockLength, data.length));
      for (let attempt = 0; ; attempt++) {
        try {
          await this.transferData(counter, block);
          break;
        } catch (err) {
          if (!(err instanceof UdsTimeoutError || err instanceof IsoTpTimeoutError) || attempt >= retries) throw err;
        }
      }
      counter = svc.nextBlockSequenceCounter(counter);
      options.onProgress?.(offset + block.length, data.length);
    }
    return this.requestTransferExit();
  }
}
