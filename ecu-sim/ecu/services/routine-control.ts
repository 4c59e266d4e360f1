// RoutineControl (0x31): the routines of the reference profile. Only startRoutine runs them (they complete
// within the request; erase takes its time behind 0x78); stop / results find no running routine.
import {
  decodeMemoryRange,
  decodeRoutineControlRequest,
  DiagnosticSession,
  encodeRoutineControlResponse,
  NegativeResponse,
  NRC,
  PROGRAMMING_SECURITY_LEVEL,
  RoutineControlType,
  RoutineId,
  SID,
  type MemoryRange,
  type ServiceDefinition,
} from '@ota/uds';
import type { EcuContext } from '../ecu-context.ts';

interface Routine {
  sessions: readonly number[];
  needsSecurity: boolean;
  dualBankOnly: boolean;
  start: (option: Uint8Array) => Promise<Uint8Array> | Uint8Array;
}

const { programming, extended } = DiagnosticSession;
const OK = Uint8Array.of(0x00);
const FAILED = Uint8Array.of(0x01);

function noOption(option: Uint8Array): void {
  if (option.length !== 0) throw new NegativeResponse(NRC.incorrectMessageLengthOrInvalidFormat, 'no option record');
}

/** Who may start a routine: in which sessions, whether programming rights are needed, dual-bank ECUs only. */
type Access = Omit<Routine, 'start'>;
const DIAGNOSTIC: Access = { sessions: [extended, programming], needsSecurity: false, dualBankOnly: false };
const PROGRAMMING: Access = { sessions: [programming], needsSecurity: true, dualBankOnly: false };
const BANK_SWITCH: Access = { sessions: [extended, programming], needsSecurity: false, dualBankOnly: true };
const BANK_COPY: Access = { sessions: [programming], needsSecurity: true, dualBankOnly: true };
/** Read-while-write: the application runs from the active bank while the inactive one is erased. */
const BACKGROUND_ERASE: Access = { sessions: [extended], needsSecurity: true, dualBankOnly: true };

/** A routine without an option record that reports success or failure. */
function verdict(run: () => boolean): Routine['start'] {
  return (option) => {
    noOption(option);
    return run() ? OK : FAILED;
  };
}

/** A routine without an option record that succeeds unless it throws a negative response. */
function action(run: () => void): Routine['start'] {
  return verdict(() => {
    run();
    return true;
  });
}

/** A routine on the memory range of its option record. */
function onRange(run: (range: MemoryRange) => Promise<void>): Routine['start'] {
  return async (option) => {
    await run(decodeMemoryRange(option));
    return OK;
  };
}

function routines(ecu: EcuContext): ReadonlyMap<number, Routine> {
  const p = ecu.programming;
  const preconditions = (option: Uint8Array): Uint8Array => {
    noOption(option);
    const blockers = ecu.conditions.programmingBlockers();
    return blockers.length === 0 ? OK : Uint8Array.from(blockers);
  };
  const entries: [number, Access, Routine['start']][] = [
    [RoutineId.checkProgrammingPreconditions, DIAGNOSTIC, preconditions],
    [RoutineId.eraseMemory, PROGRAMMING, onRange((range) => p.erase(range))],
    [RoutineId.checkMemory, PROGRAMMING, (option) => (p.checkMemory(option) ? OK : FAILED)],
    [RoutineId.checkProgrammingDependencies, PROGRAMMING, verdict(() => p.checkDependencies())],
    [RoutineId.switchToPreviousBank, BANK_SWITCH, action(() => p.switchToPreviousBank())],
    [RoutineId.confirmActiveBank, BANK_SWITCH, action(() => p.confirmActiveBank())],
    [RoutineId.copyFromActiveBank, BANK_COPY, onRange((range) => p.copyFromActiveBank(range))],
  ];
  if (ecu.definition.simulation.backgroundErase)
    entries.push([RoutineId.eraseInactiveBank, BACKGROUND_ERASE, onRange((range) => p.eraseInactiveBank(range))]);
  return new Map(entries.map(([id, access, start]) => [id, { ...access, start }]));
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
