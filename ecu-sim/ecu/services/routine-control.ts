// RoutineControl (0x31): the routines of the reference profile. Only startRoutine runs them (they complete
// within the request; erase takes its time behind 0x78); stop / results find no running routine.
import {
  DiagnosticSession,
  NRC,
  NegativeResponse,
  RoutineControlType,
  RoutineId,
  SID,
  decodeRoutineControlRequest,
  encodeRoutineControlResponse,
  readUint,
  type ServiceDefinition,
} from '../../../uds/index.ts';
import type { EcuContext } from '../ecu-context.ts';
import type { MemoryRange } from '../programming.ts';
import { PROGRAMMING_SECURITY_LEVEL } from '../security-access.ts';

interface Routine {
  sessions: readonly number[];
  needsSecurity: boolean;
  dualBankOnly: boolean;
  start: (option: Uint8Array) => Promise<Uint8Array> | Uint8Array;
}

const { programming, extended } = DiagnosticSession;
const OK = Uint8Array.of(0x00);
const FAILED = Uint8Array.of(0x01);

/** `<addressAndLengthFormatIdentifier> <address> <size>`, as in RequestDownload. */
export function decodeMemoryRange(option: Uint8Array): MemoryRange {
  if (option.length < 1) throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, 'memory range missing');
  const alfid = option[0] as number;
  const addressLength = alfid & 0x0f;
  const sizeLength = alfid >> 4;
  if (addressLength < 1 || addressLength > 4 || sizeLength < 1 || sizeLength > 4) {
    throw new NegativeResponse(NRC.requestOutOfRange, `addressAndLengthFormatIdentifier 0x${alfid.toString(16)}`);
  }
  if (option.length !== 1 + addressLength + sizeLength) {
    throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, 'memory range length');
  }
  return { address: readUint(option, 1, addressLength), size: readUint(option, 1 + addressLength, sizeLength) };
}

function noOption(option: Uint8Array): void {
  if (option.length !== 0) throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, 'no option record');
}

function routines(ecu: EcuContext): ReadonlyMap<number, Routine> {
  const p = ecu.programming;
  return new Map<number, Routine>([
    [
      RoutineId.checkProgrammingPreconditions,
      {
        sessions: [extended, programming],
        needsSecurity: false,
        dualBankOnly: false,
        start: (option) => {
          noOption(option);
          const blockers = ecu.conditions.programmingBlockers();
          return blockers.length === 0 ? OK : Uint8Array.from(blockers);
        },
      },
    ],
    [
      RoutineId.eraseMemory,
      {
        sessions: [programming],
        needsSecurity: true,
        dualBankOnly: false,
        start: async (option) => {
          await p.erase(decodeMemoryRange(option));
          return OK;
        },
      },
    ],
    [
      RoutineId.checkMemory,
      {
        sessions: [programming],
        needsSecurity: true,
        dualBankOnly: false,
        start: (option) => (p.checkMemory(option) ? OK : FAILED),
      },
    ],
    [
      RoutineId.checkProgrammingDependencies,
      {
        sessions: [programming],
        needsSecurity: true,
        dualBankOnly: false,
        start: (option) => {
          noOption(option);
          return p.checkDependencies() ? OK : FAILED;
        },
      },
    ],
    [
      RoutineId.switchToPreviousBank,
      {
        sessions: [extended, programming],
        needsSecurity: false,
        dualBankOnly: true,
        start: (option) => {
          noOption(option);
          p.switchToPreviousBank();
          return OK;
        },
      },
    ],
    [
      RoutineId.confirmActiveBank,
      {
        sessions: [extended, programming],
        needsSecurity: false,
        dualBankOnly: true,
        start: (option) => {
          noOption(option);
          p.confirmActiveBank();
          return OK;
        },
      },
    ],
    [
      RoutineId.copyFromActiveBank,
      {
        sessions: [programming],
        needsSecurity: true,
        dualBankOnly: true,
        start: async (option) => {
          await p.copyFromActiveBank(decodeMemoryRange(option));
          return OK;
        },
      },
    ],
  ]);
}

export function routineControlService(ecu: EcuContext): ServiceDefinition {
  const table = routines(ecu);
  return {
    sid: SID.RoutineControl,
    sessions: [extended, programming],
    subFunctions: {
      [RoutineControlType.startRoutine]: {},
      [RoutineControlType.stopRoutine]: {},
      [RoutineControlType.requestRoutineResults]: {},
    },
    minLength: 4,
    handler: async (request, ctx) => {
      const { type, routineId, optionRecord } = decodeRoutineControlRequest(request);
      const routine = table.get(routineId);
      if (!routine || !routine.sessions.includes(ctx.session) || (routine.dualBankOnly && !ecu.memory.dualBank)) {
        throw new NegativeResponse(NRC.requestOutOfRange, `routine 0x${routineId.toString(16)} not available`);
      }
      if (routine.needsSecurity && ctx.securityLevel !== PROGRAMMING_SECURITY_LEVEL) {
        throw new NegativeResponse(NRC.securityAccessDenied);
      }
      if (type !== RoutineControlType.startRoutine) {
        throw new NegativeResponse(NRC.requestSequenceError, 'the routine is not running');
      }
      return encodeRoutineControlResponse(type, routineId, await routine.start(optionRecord));
    },
  };
}
