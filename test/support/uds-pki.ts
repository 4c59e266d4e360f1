// A throwaway 0x29 PKI for tests, issued by the backend's UDS CA module: the CA the ECUs trust, the gateway's
// tester certificate, each ECU's own, and the bad ones the negative tests present (expired, from another CA,
// with a tampered signature, a role that may not program). Files are written for the simulator's vehicle file.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createUdsCa,
  issueUdsCertificate,
  UDS_CA_NAME,
  writeKeyPair,
  type UdsKeyAlgorithm,
  type UdsKeyPair,
} from '../../backend/keys/uds-certificates.ts';
import type { TesterCredential } from '@ota/uds';

export type { UdsKeyPair };

export interface UdsPki {
  dir: string;
  ca: UdsKeyPair;
  tester: UdsKeyPair;
  /** Issued by the CA, role "diagnostics": authenticates, may not program. */
  diagnostics: UdsKeyPair;
  expired: UdsKeyPair;
  otherCa: UdsKeyPair;
  /** Issued by a CA the ECUs do not trust (different name and key). */
  foreign: UdsKeyPair;
  /** The ECU certificates, by ECU name. */
  ecus: Map<string, UdsKeyPair>;
  /** The vehicle file's `simulation.authentication` for an ECU (absolute paths). */
  ecuFiles(ecu: string): { trustAnchorFile: string; certificateFile: string; privateKeyFile: string };
}

export async function createUdsPki(
  dir: string,
  ecuNames: readonly string[],
  algorithm: UdsKeyAlgorithm = 'ed25519',
): Promise<UdsPki> {
  mkdirSync(dir, { recursive: true });
  const ca = await createUdsCa({ algorithm });
  const issue = (commonName: string, role: 'programming' | 'diagnostics' | 'ecu', from = ca, extra = {}) =>
    issueUdsCertificate(from, { commonName, role, algorithm, ...extra });
  const otherCa = await createUdsCa({ commonName: 'Some Other CA', algorithm });
  const day = 86_400_000;
  const pki: UdsPki = {
    dir,
    ca,
    tester: await issue('gateway-WVSAMPLE', 'programming'),
    diagnostics: await issue('workshop-tool', 'diagnostics'),
    expired: await issue('gateway-old', 'programming', ca, {
      notBefore: new Date(Date.now() - 30 * day),
      notAfter: new Date(Date.now() - day),
    }),
    otherCa,
    foreign: await issue('intruder', 'programming', otherCa),
    ecus: new Map(),
    ecuFiles: (ecu) => ({
      trustAnchorFile: join(dir, `${UDS_CA_NAME}.crt`),
      certificateFile: join(dir, `${ecu}.crt`),
      privateKeyFile: join(dir, `${ecu}.key`),
    }),
  };
  await writeKeyPair(dir, UDS_CA_NAME, ca);
  for (const name of ecuNames) {
    const pair = await issue(name, 'ecu');
    pki.ecus.set(name, pair);
    await writeKeyPair(dir, name, pair);
  }
  return pki;
}

export function derOf(pair: UdsKeyPair): Uint8Array {
  return new Uint8Array(new X509Certificate(pair.certificatePem).raw);
}

/** The same certificate with one bit of its signature flipped. */
export function withTamperedSignature(pair: UdsKeyPair): Uint8Array {
  const der = derOf(pair);
  der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01;
  return der;
}

/** A gateway credential from a key pair; `ecuAnchor` makes the exchange bidirectional. */
export function credentialOf(pair: UdsKeyPair, ecuAnchor?: UdsKeyPair): TesterCredential {
  return {
    certificate: derOf(pair),
    privateKey: createPrivateKey(pair.privateKeyPem),
    ...(ecuAnchor ? { ecuTrustAnchor: new X509Certificate(ecuAnchor.certificatePem) } : {}),
  };
}
