// Which step of the sequence a UDS message belongs to, for faults attached to a step. Works on requests and
// on positive responses (same layout after the SID); a negative response only tells its service.
import { RoutineId, SID } from '@ota/uds';
import type { FaultStep } from './fault-spec.ts';

const ROUTINE_STEPS: ReadonlyMap<number, FaultStep> = new Map<number, FaultStep>([
  [RoutineId.checkProgrammingPreconditions, 'preconditions'],
  [RoutineId.eraseMemory, 'erase'],
  [RoutineId.checkMemory, 'checkMemory'],
  [RoutineId.checkProgrammingDependencies, 'dependencies'],
  [RoutineId.switchToPreviousBank, 'switchBank'],
  [RoutineId.confirmActiveBank, 'confirmBank'],
  [RoutineId.copyFromActiveBank, 'copyBank'],
]);

const SERVICE_STEPS: ReadonlyMap<number, FaultStep> = new Map<number, FaultStep>([
  [SID.DiagnosticSessionControl, 'session'],
  [SID.EcuReset, 'ecuReset'],
  [SID.ClearDiagnosticInformation, 'clearDtc'],
  [SID.ReadDtcInformation, 'readDtc'],
  [SID.ReadDataByIdentifier, 'readDid'],
  [SID.CommunicationControl, 'communicationControl'],
  [SID.WriteDataByIdentifier, 'writeDid'],
  [SID.RequestDownload, 'requestDownload'],
  [SID.TransferData, 'transferData'],
  [SID.RequestTransferExit, 'transferExit'],
  [SID.TesterPresent, 'testerPresent'],
  [SID.ControlDtcSetting, 'dtcSetting'],
]);

function stepOf(sid: number, body: Uint8Array | null): FaultStep | null {
  if (sid === SID.SecurityAccess) {
    if (!body || body.length < 1) return null;
    return ((body[0] as number) & 0x7f) % 2 === 1 ? 'securitySeed' : 'securityKey';
  }
  if (sid === SID.RoutineControl) {
    if (!body || body.length < 3) return null;
    return ROUTINE_STEPS.get(((body[1] as number) << 8) | (body[2] as number)) ?? null;
  }
  return SERVICE_STEPS.get(sid) ?? null;
}

export function requestStep(request: Uint8Array): FaultStep | null {
  return request.length === 0 ? null : stepOf(request[0] as number, request.subarray(1));
}

export function responseStep(response: Uint8Array): FaultStep | null {
  if (response.length === 0) return null;
  if (response[0] === 0x7f) return response.length >= 2 ? stepOf(response[1] as number, null) : null;
  return stepOf((response[0] as number) - 0x40, response.subarray(1));
}
