// The ECU's side of 0x29 Authentication (APCE): verifyCertificate checks the tester's certificate against the
// trust anchor and answers a fresh challenge (bidirectional: also the ECU's certificate and its signature over
// the tester's challenge); proofOfOwnership checks the tester's signature over that challenge. A challenge is
// good for one proof, right or wrong. The state lives until deAuthenticate, a new verifyCertificate, a session
// change (S3 expiry included) or a reset; the server's security level carries the programming right meanwhile.
import type { KeyObject, X509Certificate } from 'node:crypto';
import {
  NRC,
  NegativeResponse,
  checkCertificate,
  type VerifiedCertificate,
  newChallenge,
  proveOwnership,
  verifyOwnership,
} from '@ota/uds';

export interface EcuAuthenticationConfig {
  trustAnchor: X509Certificate;
  /** The ECU's own certificate (DER) and key, for the bidirectional exchange. */
  certificate: Uint8Array;
  privateKey: KeyObject;
  testerRoles: readonly string[];
  programmingRoles: readonly string[];
}

export type AuthenticationState =
  | { kind: 'unauthenticated' }
  | { kind: 'awaitingProof'; challenge: Uint8Array; tester: VerifiedCertificate }
  | { kind: 'authenticated'; tester: VerifiedCertificate; mayProgram: boolean };

export interface CertificateVerified {
  challenge: Uint8Array;
  /** Bidirectional only: the ECU's certificate and its proof over the tester's challenge. */
  server: { certificate: Uint8Array; proof: Uint8Array } | null;
}

export class EcuAuthentication {
  private current: AuthenticationState = { kind: 'unauthenticated' };

  constructor(
    private readonly config: EcuAuthenticationConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get state(): AuthenticationState {
    return this.current;
  }

  /** Session change or reset: authentication and an outstanding challenge are gone. */
  forget(): void {
    this.current = { kind: 'unauthenticated' };
  }

  /** `testerChallenge` is null for the unidirectional exchange. */
  verifyCertificate(certificate: Uint8Array, testerChallenge: Uint8Array | null): CertificateVerified {
    this.current = { kind: 'unauthenticated' }; // a new exchange ends the previous authentication
    const check = checkCertificate(certificate, this.config.trustAnchor, {
      roles: this.config.testerRoles,
      now: this.now(),
    });
    if (!check.ok) throw new NegativeResponse(check.nrc, `tester certificate refused: ${check.reason}`);
    const challenge = newChallenge();
    this.current = { kind: 'awaitingProof', challenge, tester: check.certificate };
    const server =
      testerChallenge === null
        ? null
        : { certificate: this.config.certificate, proof: proveOwnership(this.config.privateKey, testerChallenge) };
    return { challenge, server };
  }

  /** Returns whether the tester's role may program; throws 0x24 without a challenge, 0x58 for a wrong proof. */
  proofOfOwnership(proof: Uint8Array): { mayProgram: boolean } {
    const pending = this.current;
    if (pending.kind !== 'awaitingProof') {
      throw new NegativeResponse(NRC.requestSequenceError, 'proofOfOwnership without an unanswered challenge');
    }
    this.current = { kind: 'unauthenticated' }; // the challenge is spent
    if (!verifyOwnership(pending.tester.publicKey, pending.challenge, proof)) {
      throw new NegativeResponse(NRC.ownershipVerificationFailed, 'the proof does not verify over the challenge');
    }
    const mayProgram = this.config.programmingRoles.includes(pending.tester.role);
    this.current = { kind: 'authenticated', tester: pending.tester, mayProgram };
    return { mayProgram };
  }
}
