// Dual-bank routines (flash-protocol.md "Rollback"): confirm the new bank (0205) once the whole vehicle
// succeeded, or switch back to the previous bank (0204) and reset. Both need programming rights (SecurityAccess
// or 0x29 Authentication, ./security.ts); they are tried in the extended session first and in the programming
// session when the ECU allows them only there.
import { NegativeResponseError, DiagnosticSession, ResetType, RoutineId } from '@ota/uds';
import type { EcuLink } from './ecu-link.ts';
import { waitForEcu } from './reset.ts';
import { gainProgrammingAccess, type EcuAccessKeys } from './security.ts';

export class RoutineFailedError extends Error {
  override readonly name = 'RoutineFailedError';
}

function checkStatus(routine: string, status: Uint8Array): void {
  if (status.length > 0 && status[0] !== 0x00) {
    throw new RoutineFailedError(`${routine} answered status 0x${(status[0] as number).toString(16).padStart(2, '0')}`);
  }
}

/** Runs a privileged routine; returns true when it ran in the programming session (the ECU then needs a reset). */
async function runPrivileged(link: EcuLink, keys: EcuAccessKeys, routineId: number, name: string): Promise<boolean> {
  try {
    await link.diagnosticSessionControl(DiagnosticSession.extended);
    await gainProgrammingAccess(link, keys);
    checkStatus(name, await link.startRoutine(routineId));
    return false;
  } catch (err) {
    if (!(err instanceof NegativeResponseError) || (err.sid === 0x31 && err.nrc === 0x31)) throw err;
  }
  await link.diagnosticSessionControl(DiagnosticSession.programming);
  await gainProgrammingAccess(link, keys);
  checkStatus(name, await link.startRoutine(routineId));
  return true;
}

export async function confirmActiveBank(link: EcuLink, keys: EcuAccessKeys): Promise<void> {
  const inProgramming = await runPrivileged(link, keys, RoutineId.confirmActiveBank, 'confirmActiveBank (0205)');
  if (inProgramming) {
    await link.ecuReset(ResetType.hardReset);
    await waitForEcu(link);
  } else {
    await link.diagnosticSessionControl(DiagnosticSession.default);
  }
}

/** 31 01 0204 then 11 01: the previous bank runs again. */
export async function switchToPreviousBank(link: EcuLink, keys: EcuAccessKeys): Promise<void> {
  await runPrivileged(link, keys, RoutineId.switchToPreviousBank, 'switchToPreviousBank (0204)');
  await link.ecuReset(ResetType.hardReset);
  await waitForEcu(link);
}
