// The tester's side of 0x29 APCE (ISO 14229-1:2020 §10.6): confirm the ECU offers APCE (29 08), present the
// tester certificate (29 01, or 29 02 with a challenge of our own when the ECU must prove itself too), check the
// ECU's certificate and proof in the bidirectional case, then prove ownership over the ECU's challenge (29 03).
import type { KeyObject, X509Certificate } from 'node:crypto';
import {
  AuthenticationReturn,
  NO_SECURE_COMMUNICATION,
  type AuthenticationRequest,
  type AuthenticationResponse,
} from '../services/authentication.ts';
import { checkCertificate } from './certificate-check.ts';
import { newChallenge, proveOwnership, verifyOwnership } from './proof-of-ownership.ts';

/** What the gateway authenticates with. With `ecuTrustAnchor` the exchange is bidirectional. */
export interface TesterCredential {
  /** The tester certificate, DER. */
  certificate: Uint8Array;
  privateKey: KeyObject;
  /** The CA the ECUs' certificates must come from; absent: unidirectional (the ECU is not asked to prove). */
  ecuTrustAnchor?: X509Certificate;
}

export type AuthenticationExchange = <R extends AuthenticationRequest>(
  request: R,
) => Promise<Extract<AuthenticationResponse, { task: R['task'] }>>;

/** The ECU's answer broke the exchange (not an NRC: those are thrown by the exchange as they come). */
export class EcuAuthenticationError extends Error {
  override readonly name = 'EcuAuthenticationError';
}

function expectReturn(what: string, got: number, wanted: number): void {
  if (got !== wanted) {
    throw new EcuAuthenticationError(
      `${what}: authenticationReturnParameter 0x${got.toString(16).padStart(2, '0')}, expected 0x${wanted.toString(16).padStart(2, '0')}`,
    );
  }
}

/** The ECU's challenge after its certificate (and, bidirectional, its proof over our challenge) checked out. */
async function exchangeCertificates(
  exchange: AuthenticationExchange,
  credential: TesterCredential,
): Promise<Uint8Array> {
  const common = { communicationConfiguration: NO_SECURE_COMMUNICATION, certificate: credential.certificate };
  const anchor = credential.ecuTrustAnchor;
  if (!anchor) {
    const r = await exchange({ task: 'verifyCertificateUnidirectional', ...common, challenge: new Uint8Array(0) });
    expectReturn(
      'verifyCertificateUnidirectional',
      r.returnValue,
      AuthenticationReturn.certificateVerifiedOwnershipVerificationNecessary,
    );
    return r.challenge;
  }
  const ours = newChallenge();
  const r = await exchange({ task: 'verifyCertificateBidirectional', ...common, challenge: ours });
  expectReturn(
    'verifyCertificateBidirectional',
    r.returnValue,
    AuthenticationReturn.certificateVerifiedOwnershipVerificationNecessary,
  );
  const check = checkCertificate(r.certificate, anchor, { roles: ['ecu'] });
  if (!check.ok) throw new EcuAuthenticationError(`the ECU's certificate is refused: ${check.reason}`);
  if (!verifyOwnership(check.certificate.publicKey, ours, r.proof)) {
    throw new EcuAuthenticationError("the ECU's proof of ownership does not verify over our challenge");
  }
  return r.challenge;
}

export async function authenticateTester(
  exchange: AuthenticationExchange,
  credential: TesterCredential,
): Promise<void> {
  const config = await exchange({ task: 'authenticationConfiguration' });
  expectReturn(
    'authenticationConfiguration (APCE)',
    config.returnValue,
    AuthenticationReturn.authenticationConfigurationApce,
  );
  const challenge = await exchangeCertificates(exchange, credential);
  const proof = await exchange({
    task: 'proofOfOwnership',
    proof: proveOwnership(credential.privateKey, challenge),
    ephemeralPublicKey: new Uint8Array(0),
  });
  expectReturn('proofOfOwnership', proof.returnValue, AuthenticationReturn.ownershipVerifiedAuthenticationComplete);
}
