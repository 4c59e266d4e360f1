// The checks both ends of a 0x29 exchange make on the other's X.509 certificate: issued by the trust anchor
// (chain of trust, then signature), valid now, an end-entity certificate with an Ed25519 or P-256 key and a
// role in its subject (OU). A failure carries the ISO 14229-1:2020 NRC that names it.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { NRC } from '../nrc.ts';

export interface VerifiedCertificate {
  readonly commonName: string;
  /** The subject's OU: what the holder may do ("programming", "diagnostics", "ecu"). */
  readonly role: string;
  readonly publicKey: KeyObject;
  readonly serialNumber: string;
}

export type CertificateCheck =
  { ok: true; certificate: VerifiedCertificate } | { ok: false; nrc: number; reason: string };

export interface CertificatePolicy {
  /** Roles accepted; any other is certificateVerificationFailedInvalidScope. */
  roles: readonly string[];
  /** Serial numbers (upper-case hex) revoked by the backend: certificateVerificationFailedInvalidCertificate. */
  revokedSerials?: readonly string[];
  now?: Date;
}

const fail = (nrc: number, reason: string): CertificateCheck => ({ ok: false, nrc, reason });

/** `CN=x\nOU=y` -> the value of one attribute. */
function subjectAttribute(subject: string, name: string): string | null {
  const line = subject.split('\n').find((l) => l.startsWith(`${name}=`));
  return line === undefined ? null : line.slice(name.length + 1);
}

/** Ed25519, or ECDSA on P-256: the key types the project issues and signs proofs with. */
export function supportedKeyType(key: KeyObject): boolean {
  if (key.asymmetricKeyType === 'ed25519') return true;
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

export function checkCertificate(
  der: Uint8Array,
  anchor: X509Certificate,
  policy: CertificatePolicy,
): CertificateCheck {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    return fail(
      NRC.certificateVerificationFailedInvalidFormat,
      `not a DER X.509 certificate: ${(err as Error).message}`,
    );
  }
  if (!cert.checkIssued(anchor)) {
    return fail(
      NRC.certificateVerificationFailedInvalidChainOfTrust,
      `issued by "${cert.issuer}", not by the trust anchor`,
    );
  }
  if (!cert.verify(anchor.publicKey)) {
    return fail(NRC.certificateVerificationFailedInvalidSignature, "the trust anchor's signature does not verify");
  }
  const now = policy.now ?? new Date();
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) {
    return fail(
      NRC.certificateVerificationFailedInvalidTimePeriod,
      `valid ${cert.validFrom} to ${cert.validTo}, not at ${now.toISOString()}`,
    );
  }
  if (cert.ca) return fail(NRC.certificateVerificationFailedInvalidType, 'a CA certificate, not an end-entity one');
  if (!supportedKeyType(cert.publicKey)) {
    return fail(NRC.certificateVerificationFailedInvalidContent, 'the key is neither Ed25519 nor ECDSA P-256');
  }
  const commonName = subjectAttribute(cert.subject, 'CN');
  const role = subjectAttribute(cert.subject, 'OU');
  if (commonName === null || role === null) {
    return fail(NRC.certificateVerificationFailedInvalidContent, 'the subject names no CN or no OU (role)');
  }
  if (!policy.roles.includes(role)) {
    return fail(
      NRC.certificateVerificationFailedInvalidScope,
      `role "${role}" is not one of ${policy.roles.join(', ')}`,
    );
  }
  if (policy.revokedSerials?.includes(cert.serialNumber.toUpperCase())) {
    return fail(NRC.certificateVerificationFailedInvalidCertificate, `serial ${cert.serialNumber} is revoked`);
  }
  return { ok: true, certificate: { commonName, role, publicKey: cert.publicKey, serialNumber: cert.serialNumber } };
}
