// ReadDataByIdentifier (0x22, every session) and WriteDataByIdentifier (0x2E: F15A fingerprint, programming
// session and security level 0x11).
import {
  BankCode,
  DataIdentifier,
  type DataRecord,
  decodeReadDataByIdentifierRequest,
  decodeWriteDataByIdentifierRequest,
  DiagnosticSession,
  encodeReadDataByIdentifierResponse,
  encodeWriteDataByIdentifierResponse,
  NegativeResponse,
  NRC,
  PROGRAMMING_SECURITY_LEVEL,
  type ServiceDefinition,
  SID,
} from '@ota/uds';
import { MAX_FINGERPRINT_LENGTH, readDid, type DidSources } from '../data-identifiers.ts';
import { otherBank } from '../../flash/ecu-state.ts';
import type { EcuContext } from '../ecu-context.ts';

/** ISO 14229-1 lets a server limit the identifiers per request; this one takes up to 16. */
const MAX_DIDS_PER_REQUEST = 16;

function didSources(ecu: EcuContext, session: number): DidSources {
  const { memory, boot, conditions } = ecu;
  const running = boot.mode === 'application' && ecu.programming.applicationImageIntact;
  const active = memory.state.activeBank;
  let activeBankCode: number = memory.dualBank ? BankCode[active] : BankCode.singleBank;
  if (!running) activeBankCode = BankCode.noValidApplication;
  // Only F1A1 needs it, and on a dual-bank ECU it reads and verifies the whole other bank: computed on demand.
  const previousVersion = (): string => {
    if (!memory.dualBank) return memory.state.previousVersion ?? '';
    const other = otherBank(active);
    return memory.isBankValid(other) ? (memory.appInfo(other)?.softwareVersion ?? '') : '';
  };
  return {
    definition: ecu.definition,
    vin: ecu.vin,
    session,
    applicationVersion: running && boot.mode === 'application' ? boot.version : null,
    imageDigest: running && boot.mode === 'application' ? boot.imageDigest : null,
    activeBankCode,
    previousVersion,
    fingerprint: Buffer.from(memory.state.fingerprint ?? '', 'hex'),
    batteryMv: conditions.current.batteryMv,
    speedKmh: conditions.current.speedKmh,
    ignitionCode: conditions.ignitionCode,
  };
}

export function readDataByIdentifierService(ecu: EcuContext): ServiceDefinition {
  return {
    sid: SID.ReadDataByIdentifier,
    minLength: 3,
    handler: (request, ctx) => {
      const { dids } = decodeReadDataByIdentifierRequest(request);
      if (dids.length > MAX_DIDS_PER_REQUEST) throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat);
      const sources = didSources(ecu, ctx.session);
      const records: DataRecord[] = [];
      for (const did of dids) {
        const data = readDid(did, sources);
        if (data) records.push({ did, data });
      }
      if (records.length === 0) throw new NegativeResponse(NRC.requestOutOfRange, 'no supported identifier requested');
      return encodeReadDataByIdentifierResponse(records);
    },
  };
}

export function writeDataByIdentifierService(ecu: EcuContext): ServiceDefinition {
  return {
    sid: SID.WriteDataByIdentifier,
    sessions: [DiagnosticSession.programming],
    securityLevels: [PROGRAMMING_SECURITY_LEVEL],
    minLength: 4,
    handler: (request) => {
      const { did, data } = decodeWriteDataByIdentifierRequest(request);
      if (did !== DataIdentifier.fingerprintWrite)
        throw new NegativeResponse(NRC.requestOutOfRange, 'only F15A is writable');
      if (data.length > MAX_FINGERPRINT_LENGTH) throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat);
      ecu.memory.update((s) => (s.fingerprint = Buffer.from(data).toString('hex')));
      return encodeWriteDataByIdentifierResponse(did);
    },
  };
}
