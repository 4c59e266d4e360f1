// Authentication (0x29) APCE sub-functions 00, 01, 02, 03, 08 in every session; the logic is in
// ../authentication.ts. An authenticated tester whose role may program gets the programming security level, so
// the services guarded by it (download, erase, ...) accept it exactly as after SecurityAccess.
import {
  AuthenticationReturn,
  AuthenticationTask,
  decodeAuthenticationRequest,
  encodeAuthenticationResponse,
  NegativeResponse,
  NO_SECURE_COMMUNICATION,
  NRC,
  PROGRAMMING_SECURITY_LEVEL,
  type ServiceDefinition,
  SID,
} from '@ota/uds';
import type { EcuAuthentication } from '../authentication.ts';

const EMPTY = new Uint8Array(0);

export function authenticationService(auth: EcuAuthentication): ServiceDefinition {
  return {
    sid: SID.Authentication,
    subFunctions: Object.fromEntries(Object.values(AuthenticationTask).map((t) => [t, {}])),
    handler: (request, ctx) => {
      const decoded = decodeAuthenticationRequest(request);
      switch (decoded.task) {
        case 'authenticationConfiguration':
          return encodeAuthenticationResponse({
            task: decoded.task,
            returnValue: AuthenticationReturn.authenticationConfigurationApce,
          });
        case 'deAuthenticate':
          auth.forget();
          ctx.setSecurityLevel(0);
          return encodeAuthenticationResponse({
            task: decoded.task,
            returnValue: AuthenticationReturn.deAuthenticationSuccessful,
          });
        case 'verifyCertificateUnidirectional':
        case 'verifyCertificateBidirectional': {
          if (decoded.communicationConfiguration !== NO_SECURE_COMMUNICATION) {
            throw new NegativeResponse(NRC.requestOutOfRange, 'no secure communication (session keys) offered');
          }
          ctx.setSecurityLevel(0);
          const bidirectional = decoded.task === 'verifyCertificateBidirectional';
          const verified = auth.verifyCertificate(decoded.certificate, bidirectional ? decoded.challenge : null);
          const returnValue = AuthenticationReturn.certificateVerifiedOwnershipVerificationNecessary;
          if (!verified.server) {
            return encodeAuthenticationResponse({
              task: 'verifyCertificateUnidirectional',
              returnValue,
              challenge: verified.challenge,
              ephemeralPublicKey: EMPTY,
            });
          }
          return encodeAuthenticationResponse({
            task: 'verifyCertificateBidirectional',
            returnValue,
            challenge: verified.challenge,
            certificate: verified.server.certificate,
            proof: verified.server.proof,
            ephemeralPublicKey: EMPTY,
          });
        }
        case 'proofOfOwnership': {
          const { mayProgram } = auth.proofOfOwnership(decoded.proof);
          ctx.setSecurityLevel(mayProgram ? PROGRAMMING_SECURITY_LEVEL : 0);
          return encodeAuthenticationResponse({
            task: decoded.task,
            returnValue: AuthenticationReturn.ownershipVerifiedAuthenticationComplete,
            sessionKeyInfo: EMPTY,
          });
        }
      }
    },
  };
}
