// SecurityAccess (0x27) level 0x11/0x12, programming session only (and extended with backgroundErase); the logic is in ../security-access.ts.
import {
  decodeSecurityAccessRequest,
  DiagnosticSession,
  encodeRequestSeedResponse,
  encodeSendKeyResponse,
  NegativeResponse,
  NRC,
  PROGRAMMING_SECURITY_LEVEL,
  SECURITY_KEY_LENGTH,
  type ServiceDefinition,
  SID,
} from '@ota/uds';
import type { EcuContext } from '../ecu-context.ts';

export function securityAccessService(ecu: EcuContext): ServiceDefinition {
  return {
    sid: SID.SecurityAccess,
    // A read-while-write ECU unlocks in the extended session too, for its background erase (0207).
    sessions: ecu.definition.simulation.backgroundErase
      ? [DiagnosticSession.extended, DiagnosticSession.programming]
      : [DiagnosticSession.programming],
    subFunctions: { [PROGRAMMING_SECURITY_LEVEL]: {}, [PROGRAMMING_SECURITY_LEVEL + 1]: {} },
    handler: (request, ctx) => {
      const decoded = decodeSecurityAccessRequest(request);
      if (decoded.kind === 'requestSeed') {
        const seed = ecu.security.requestSeed(decoded.level, ctx.securityLevel === decoded.level);
        return encodeRequestSeedResponse(decoded.level, seed);
      }
      if (decoded.key.length !== SECURITY_KEY_LENGTH) {
        throw new NegativeResponse(
          NRC.incorrectMessageLengthOrInvalidFormat,
          `the key is ${SECURITY_KEY_LENGTH} bytes`,
        );
      }
      ecu.security.sendKey(decoded.level, decoded.key, ecu.faults.refuseKeys);
      ctx.setSecurityLevel(decoded.level);
      return encodeSendKeyResponse(decoded.level);
    },
  };
}
