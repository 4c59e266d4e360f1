/**
 * The backend's UDS authentication PKI (ISO 14229-1:2020 service 0x29): a CA whose certificate the ECUs hold as
 * their trust anchor, and the end-entity certificates it issues, the gateway's tester certificate (role
 * "programming") and each ECU's own (role "ecu"). X.509 with Ed25519 or ECDSA P-256 keys, issued in process
 * with @peculiar/x509 (which needs the Reflect polyfill imported before it). The role is the subject's OU.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UdsKeyAlgorithm, UdsRole } from './uds-certificate-kinds.ts';

x509.cryptoProvider.set(globalThis.crypto);

export { UDS_CA_NAME, UDS_KEY_ALGORITHMS, UDS_ROLES } from './uds-certificate-kinds.ts';
export type { UdsKeyAlgorithm, UdsRole } from './uds-certificate-kinds.ts';

/** PEM texts; the private key is PKCS#8. Never logged. */
export interface UdsKeyPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface IssueOptions {
  commonName: string;
  role: UdsRole;
  algorithm?: UdsKeyAlgorithm;
  /** Default: now - 1 minute (clock skew). */
  notBefore?: Date;
  /** Default: notBefore + `days`. */
  notAfter?: Date;
  days?: number;
}

const IDENTITY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DAY_MS = 86_400_000;

const ALGORITHMS = {
  ed25519: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
  p256: { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
} as const;

function checkName(name: string): string {
  if (!IDENTITY.test(name)) throw new Error(`not a valid certificate name: ${JSON.stringify(name)}`);
  return name;
}

function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] as number) & 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

async function generate(algorithm: UdsKeyAlgorithm): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHMS[algorithm].generate, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

async function privatePem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    format: 'pem',
    type: 'pkcs8',
  }) as string;
}

/** The algorithm of a PEM private key, to sign with the CA's own. */
function algorithmOf(privateKeyPem: string): UdsKeyAlgorithm {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  throw new Error('the CA key is neither Ed25519 nor ECDSA P-256');
}

export async function createUdsCa(
  options: { commonName?: string; algorithm?: UdsKeyAlgorithm; days?: number } = {},
): Promise<UdsKeyPair> {
  const algorithm = options.algorithm ?? 'ed25519';
  const keys = await generate(algorithm);
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${options.commonName ?? 'OTA Platform UDS Authentication CA'}, OU=ca`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.days ?? 3650) * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHMS[algorithm].sign,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: cert.toString('pem'), privateKeyPem: await privatePem(keys.privateKey) };
}

export async function issueUdsCertificate(ca: UdsKeyPair, options: IssueOptions): Promise<UdsKeyPair> {
  const caAlgorithm = algorithmOf(ca.privateKeyPem);
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.privateKeyPem).export({ format: 'der', type: 'pkcs8' }),
    ALGORITHMS[caAlgorithm].generate,
    false,
    ['sign'],
  );
  const keys = await generate(options.algorithm ?? 'ed25519');
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${checkName(options.commonName)}, OU=${options.role}`,
    issuer: caCert.subject,
    notBefore,
    notAfter: options.notAfter ?? new Date(notBefore.getTime() + (options.days ?? 825) * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHMS[caAlgorithm].sign,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certificatePem: cert.toString('pem'), privateKeyPem: await privatePem(keys.privateKey) };
}

/** Writes NAME.crt and NAME.key (0600) into `dir`; returns their paths. */
export async function writeKeyPair(
  dir: string,
  name: string,
  pair: UdsKeyPair,
): Promise<{ certFile: string; keyFile: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, `${checkName(name)}.crt`);
  const keyFile = join(dir, `${name}.key`);
  await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, pair.certificatePem);
  return { certFile, keyFile };
}

export async function readKeyPair(dir: string, name: string): Promise<UdsKeyPair> {
  return {
    certificatePem: await readFile(join(dir, `${name}.crt`), 'utf8'),
    privateKeyPem: await readFile(join(dir, `${name}.key`), 'utf8'),
  };
}
