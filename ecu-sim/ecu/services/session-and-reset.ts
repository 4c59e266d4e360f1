// DiagnosticSessionControl (0x10) and ECUReset (0x11). Entering the programming session enters the bootloader
// (only when the preconditions allow it); leaving it, like a reset, runs secure boot again.
import {
  DiagnosticSession,
  NRC,
  NegativeResponse,
  ResetType,
  SID,
  decodeDiagnosticSessionControlRequest,
  decodeEcuResetRequest,
  encodeDiagnosticSessionControlResponse,
  encodeEcuResetResponse,
  type ServiceDefinition,
} from '@ota/uds';
import type { EcuContext } from '../ecu-context.ts';

export function sessionService(ecu: EcuContext): ServiceDefinition {
  return {
    sid: SID.DiagnosticSessionControl,
    subFunctions: {
      [DiagnosticSession.default]: {},
      [DiagnosticSession.programming]: {},
      [DiagnosticSession.extended]: {},
    },
    handler: (request, ctx) => {
      const { session } = decodeDiagnosticSessionControlRequest(request);
      if (session === DiagnosticSession.programming && ecu.boot.mode === 'application') {
        const blockers = ecu.conditions.programmingBlockers();
        if (blockers.length > 0) {
          throw new NegativeResponse(
            NRC.conditionsNotCorrect,
            `programming preconditions not met: ${blockers.join(',')}`,
          );
        }
      }
      if (ctx.session === DiagnosticSession.programming && session !== DiagnosticSession.programming) ecu.reboot();
      ctx.setSession(session);
      return encodeDiagnosticSessionControlResponse(session, ecu.timing);
    },
  };
}

export function ecuResetService(ecu: EcuContext): ServiceDefinition {
  return {
    sid: SID.EcuReset,
    subFunctions: { [ResetType.hardReset]: {}, [ResetType.softReset]: {} },
    handler: (request) => {
      const { resetType } = decodeEcuResetRequest(request);
      ecu.reboot();
      return encodeEcuResetResponse(resetType);
    },
  };
}
