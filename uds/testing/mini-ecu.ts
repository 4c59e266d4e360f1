// A small UDS server on the framework that serves every service of the flash sequence, over RAM "flash".
// For tests, the vcan test and the benchmark; the real simulator (ecu-sim/) models far more.
import type { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { NRC, NegativeResponse } from '../nrc.ts';
import { decodeMemoryRange, PROGRAMMING_SECURITY_LEVEL, RoutineId } from '../profile/index.ts';
import * as s from '../services/index.ts';
import { createSecurityAccessService } from '../server/security-access-service.ts';
import { UdsServer } from '../server/server.ts';
import type { ServiceDefinition } from '../server/types.ts';

export interface MiniEcuOptions {
  physical: IsoTpEndpoint;
  functional?: IsoTpEndpoint;
  secret: Uint8Array;
  memorySize?: number;
  /** maxNumberOfBlockLength announced in RequestDownload / RequestUpload. Default 0x802 (2 KiB blocks). */
  maxNumberOfBlockLength?: number;
  /** How long eraseMemory takes (longer than P2 makes the server answer 0x78). Default 0. */
  eraseDelayMs?: number;
  p2ServerMs?: number;
  s3ServerMs?: number;
}

const PROGRAMMING = s.DiagnosticSession.programming;
const EXTENDED = s.DiagnosticSession.extended;
const UNLOCKED = [PROGRAMMING_SECURITY_LEVEL];

export class MiniEcu {
  readonly server: UdsServer;
  readonly memory: Uint8Array;
  readonly dids = new Map<number, Uint8Array>();
  dtcs: s.DtcRecord[] = [{ dtc: 0x123456, status: 0x09 }];
  dtcSettingOn = true;
  communication = { controlType: 0, communicationType: 0 };
  resets = 0;
  /** TransferData blocks written (a repeated block is not written twice). */
  blocksWritten = 0;
  private transfer: {
    kind: 'download' | 'upload';
    address: number;
    end: number;
    offset: number;
    lastCounter: number;
  } | null = null;

  constructor(private readonly options: MiniEcuOptions) {
    this.memory = new Uint8Array(options.memorySize ?? 2 * 1024 * 1024);
    const text = (v: string): Uint8Array => new TextEncoder().encode(v);
    this.dids.set(0xf190, text('WVWZZZ1JZXW000001'));
    this.dids.set(0xf18c, text('SN-0001'));
    this.dids.set(0xf189, text('2.4.1'));
    this.dids.set(0x0100, Uint8Array.of(0x31, 0x38));
    this.server = new UdsServer({
      physical: options.physical,
      ...(options.functional ? { functional: options.functional } : {}),
      ...(options.p2ServerMs !== undefined ? { p2ServerMs: options.p2ServerMs } : {}),
      ...(options.s3ServerMs !== undefined ? { s3ServerMs: options.s3ServerMs } : {}),
    });
    this.server.register(
      createSecurityAccessService({
        levels: [{ level: PROGRAMMING_SECURITY_LEVEL, secret: options.secret, sessions: [PROGRAMMING] }],
      }),
    );
    for (const service of [...this.diagnosticServices(), ...this.dataServices(), ...this.programmingServices()]) {
      this.server.register(service);
    }
  }

  /** Reset, DTCs, communication and DTC setting: the services around programming. */
  private diagnosticServices(): ServiceDefinition[] {
    return [
      {
        sid: s.SID.EcuReset,
        subFunctions: { [s.ResetType.hardReset]: {}, [s.ResetType.softReset]: {} },
        handler: (req, ctx) => {
          const { resetType } = s.decodeEcuResetRequest(req);
          this.resets++;
          ctx.setSession(s.DiagnosticSession.default);
          return s.encodeEcuResetResponse(resetType);
        },
      },
      {
        sid: s.SID.ClearDiagnosticInformation,
        minLength: 4,
        handler: (req) => {
          const { groupOfDtc } = s.decodeClearDiagnosticInformationRequest(req);
          if (groupOfDtc !== s.ALL_DTC_GROUPS) throw new NegativeResponse(NRC.requestOutOfRange);
          this.dtcs = [];
          return s.encodeClearDiagnosticInformationResponse();
        },
      },
      {
        sid: s.SID.ReadDtcInformation,
        subFunctions: { 0x01: {}, 0x02: {}, 0x0a: {} },
        handler: (req) => {
          const r = s.decodeReadDtcInformationRequest(req);
          const matching = r.reportType === 0x0a ? this.dtcs : this.dtcs.filter((d) => (d.status & r.statusMask) !== 0);
          return s.encodeReadDtcInformationResponse(
            r.reportType === 0x01
              ? { reportType: 0x01, availabilityMask: 0xff, formatIdentifier: 0x01, count: matching.length }
              : { reportType: r.reportType, availabilityMask: 0xff, records: matching },
          );
        },
      },
      {
        sid: s.SID.CommunicationControl,
        sessions: [PROGRAMMING, EXTENDED],
        subFunctions: { 0x00: {}, 0x01: {}, 0x02: {}, 0x03: {} },
        minLength: 3,
        handler: (req) => {
          const { controlType, communicationType } = s.decodeCommunicationControlRequest(req);
          this.communication = { controlType, communicationType };
          return s.encodeCommunicationControlResponse(controlType);
        },
      },
      {
        sid: s.SID.ControlDtcSetting,
        sessions: [PROGRAMMING, EXTENDED],
        subFunctions: { 0x01: {}, 0x02: {} },
        handler: (req) => {
          const { type } = s.decodeControlDtcSettingRequest(req);
          this.dtcSettingOn = type === s.DtcSettingType.on;
          return s.encodeControlDtcSettingResponse(type);
        },
      },
    ];
  }

  private dataServices(): ServiceDefinition[] {
    return [
      {
        sid: s.SID.ReadDataByIdentifier,
        minLength: 3,
        handler: (req, ctx) => {
          const { dids } = s.decodeReadDataByIdentifierRequest(req);
          return s.encodeReadDataByIdentifierResponse(
            dids.map((did) => {
              const data = did === 0xf186 ? Uint8Array.of(ctx.session) : this.dids.get(did);
              if (!data) throw new NegativeResponse(NRC.requestOutOfRange, `DID 0x${did.toString(16)} unknown`);
              return { did, data };
            }),
          );
        },
      },
      {
        sid: s.SID.WriteDataByIdentifier,
        minLength: 4,
        sessions: [PROGRAMMING, EXTENDED],
        handler: (req, ctx) => {
          const { did, data } = s.decodeWriteDataByIdentifierRequest(req);
          if (did !== 0xf15a) throw new NegativeResponse(NRC.requestOutOfRange);
          if (ctx.securityLevel !== PROGRAMMING_SECURITY_LEVEL) throw new NegativeResponse(NRC.securityAccessDenied);
          this.dids.set(0xf15b, data);
          return s.encodeWriteDataByIdentifierResponse(did);
        },
      },
    ];
  }

  private programmingServices(): ServiceDefinition[] {
    return [
      {
        sid: s.SID.RoutineControl,
        subFunctions: { 0x01: {}, 0x03: { sessions: [PROGRAMMING] } },
        minLength: 4,
        handler: (req, ctx) => this.routine(req, ctx.session, ctx.securityLevel),
      },
      ...([s.SID.RequestDownload, s.SID.RequestUpload] as const).map((sid): ServiceDefinition => ({
        sid,
        sessions: [PROGRAMMING],
        securityLevels: UNLOCKED,
        minLength: 5,
        handler: (req) => this.requestTransfer(sid, req),
      })),
      {
        sid: s.SID.TransferData,
        sessions: [PROGRAMMING],
        securityLevels: UNLOCKED,
        minLength: 2,
        handler: (req) => this.transferData(req),
      },
      {
        sid: s.SID.RequestTransferExit,
        sessions: [PROGRAMMING],
        securityLevels: UNLOCKED,
        handler: () => {
          if (!this.transfer) throw new NegativeResponse(NRC.requestSequenceError);
          this.transfer = null;
          return s.encodeRequestTransferExitResponse();
        },
      },
    ];
  }

  private async routine(req: Uint8Array, session: number, securityLevel: number): Promise<Uint8Array> {
    const { type, routineId, optionRecord } = s.decodeRoutineControlRequest(req);
    switch (routineId) {
      case RoutineId.checkProgrammingPreconditions:
        if (session !== EXTENDED && session !== PROGRAMMING)
          throw new NegativeResponse(NRC.serviceNotSupportedInActiveSession);
        return s.encodeRoutineControlResponse(type, routineId, Uint8Array.of(0x00));
      case RoutineId.eraseMemory: {
        if (session !== PROGRAMMING) throw new NegativeResponse(NRC.conditionsNotCorrect);
        if (securityLevel !== PROGRAMMING_SECURITY_LEVEL) throw new NegativeResponse(NRC.securityAccessDenied);
        const { address, size } = decodeMemoryRange(optionRecord);
        if (address + size > this.memory.length) throw new NegativeResponse(NRC.requestOutOfRange);
        if (this.options.eraseDelayMs) await new Promise((r) => setTimeout(r, this.options.eraseDelayMs));
        this.memory.fill(0xff, address, address + size);
        return s.encodeRoutineControlResponse(type, routineId, Uint8Array.of(0x00));
      }
      default:
        throw new NegativeResponse(NRC.requestOutOfRange, `routine 0x${routineId.toString(16)} unknown`);
    }
  }

  private requestTransfer(sid: typeof s.SID.RequestDownload | typeof s.SID.RequestUpload, req: Uint8Array): Uint8Array {
    const r = sid === s.SID.RequestDownload ? s.decodeRequestDownloadRequest(req) : s.decodeRequestUploadRequest(req);
    if (this.transfer) throw new NegativeResponse(NRC.conditionsNotCorrect);
    if (r.dataFormatIdentifier !== 0)
      throw new NegativeResponse(NRC.requestOutOfRange, 'no compression or encryption here');
    if (r.size === 0 || r.address + r.size > this.memory.length) throw new NegativeResponse(NRC.requestOutOfRange);
    this.transfer = {
      kind: sid === s.SID.RequestDownload ? 'download' : 'upload',
      address: r.address,
      end: r.address + r.size,
      offset: r.address,
      lastCounter: 0,
    };
    const max = this.options.maxNumberOfBlockLength ?? 0x802;
    return sid === s.SID.RequestDownload ? s.encodeRequestDownloadResponse(max) : s.encodeRequestUploadResponse(max);
  }

  private transferData(req: Uint8Array): Uint8Array {
    const t = this.transfer;
    if (!t) throw new NegativeResponse(NRC.requestSequenceError);
    const { blockSequenceCounter: bsc, data } = s.decodeTransferDataRequest(req);
    if (bsc === t.lastCounter && t.offset > t.address) return s.encodeTransferDataResponse(bsc); // repeat: not written twice
    if (bsc !== s.nextBlockSequenceCounter(t.lastCounter)) throw new NegativeResponse(NRC.wrongBlockSequenceCounter);
    const max = (this.options.maxNumberOfBlockLength ?? 0x802) - 2;
    if (t.kind === 'upload') {
      const chunk = this.memory.slice(t.offset, Math.min(t.offset + max, t.end));
      if (chunk.length === 0) throw new NegativeResponse(NRC.requestSequenceError);
      t.offset += chunk.length;
      t.lastCounter = bsc;
      return s.encodeTransferDataResponse(bsc, chunk);
    }
    if (data.length === 0 || data.length > max || t.offset + data.length > t.end)
      throw new NegativeResponse(NRC.transferDataSuspended);
    this.memory.set(data, t.offset);
    t.offset += data.length;
    t.lastCounter = bsc;
    this.blocksWritten++;
    return s.encodeTransferDataResponse(bsc);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
