// The gateway's 0x29 tester credential from files: its certificate and private key (PEM, issued by the backend's
// UDS CA with role "programming") and, for the bidirectional exchange, the CA certificate the ECUs' certificates
// must chain to. Errors name the file, never its content.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TesterCredential } from '@ota/uds';

export interface TesterCredentialFiles {
  certificateFile: string;
  keyFile: string;
  /** Present: the ECUs must prove their certificates too (verifyCertificateBidirectional). */
  ecuTrustAnchorFile?: string;
}

export class TesterCredentialError extends Error {
  override readonly name = 'TesterCredentialError';
}

function parse<T>(file: string, what: string, make: (text: string) => T): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TesterCredentialError(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return make(text);
  } catch {
    throw new TesterCredentialError(`${file} is not a PEM ${what}`);
  }
}

export function loadTesterCredential(files: TesterCredentialFiles): TesterCredential {
  const certificate = parse(files.certificateFile, 'tester certificate', (t) => new X509Certificate(t));
  const privateKey = parse(files.keyFile, 'tester private key', (t) => createPrivateKey(t));
  const anchor = files.ecuTrustAnchorFile;
  return {
    certificate: new Uint8Array(certificate.raw),
    privateKey,
    ...(anchor ? { ecuTrustAnchor: parse(anchor, 'ECU trust anchor', (t) => new X509Certificate(t)) } : {}),
  };
}
