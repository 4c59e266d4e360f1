/**
 * The project's MQTT PKI, with the openssl CLI: a CA, the broker's server certificate, the
 * backend's client certificate and one client certificate per vehicle (CN = VIN, which Mosquitto's
 * `use_identity_as_username` turns into the username its ACL patterns match).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VinSchema } from '@ota/protocol';

const run = promisify(execFile);

export interface IssuedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface CaFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** The CN of the backend's own broker identity (the ACL gives it every ota/ topic). */
export const BACKEND_IDENTITY = 'ota-backend';
const IDENTITY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || (error as Error).message}`, { cause: error });
  }
}

async function newKey(file: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  await chmod(file, 0o600);
}

export async function createCa(dir: string, opts: { commonName?: string; days?: number } = {}): Promise<CaFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'ca.key');
  const certFile = join(dir, 'ca.crt');
  await newKey(keyFile);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    keyFile,
    '-sha256',
    '-days',
    String(opts.days ?? 3650),
    '-subj',
    `/CN=${opts.commonName ?? 'OTA Platform MQTT CA'}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    certFile,
  ]);
  return { certFile, keyFile };
}

async function issue(
  ca: CaFiles,
  outDir: string,
  name: string,
  commonName: string,
  extensions: string,
  days: number,
): Promise<IssuedCertificate> {
  await mkdir(outDir, { recursive: true });
  const keyFile = join(outDir, `${name}.key`);
  const certFile = join(outDir, `${name}.crt`);
  const work = await mkdtemp(join(outDir, '.issue-'));
  try {
    await newKey(keyFile);
    const csr = join(work, 'req.csr');
    const ext = join(work, 'ext.cnf');
    await writeFile(ext, extensions);
    await openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${commonName}`, '-out', csr]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-set_serial',
      `0x${randomSerial()}`,
      '-days',
      String(days),
      '-sha256',
      '-extfile',
      ext,
      '-out',
      certFile,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { certFile, keyFile };
}

function randomSerial(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .replace(/^[89a-f]/, '1');
}

const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';

/** A vehicle's client certificate and key; the VIN is validated before it goes into the subject. */
export async function issueVehicleCertificate(
  ca: CaFiles,
  vin: string,
  outDir: string,
  days = 825,
): Promise<IssuedCertificate> {
  const parsed = VinSchema.safeParse(vin);
  if (!parsed.success)
    throw new Error(`not a VIN: ${JSON.stringify(vin)} (17 characters, 0-9 and A-Z without I, O, Q)`);
  return issue(ca, outDir, vin, vin, CLIENT_EXT, days);
}

/** A client certificate for a service identity such as the backend. */
export async function issueClientCertificate(
  ca: CaFiles,
  identity: string,
  outDir: string,
  days = 825,
): Promise<IssuedCertificate> {
  if (!IDENTITY.test(identity)) throw new Error(`not a valid identity name: ${JSON.stringify(identity)}`);
  return issue(ca, outDir, identity, identity, CLIENT_EXT, days);
}

/** The broker's server certificate, valid for the given DNS names and IP addresses. */
export async function issueServerCertificate(
  ca: CaFiles,
  outDir: string,
  hosts: { dns?: string[]; ip?: string[] },
  days = 825,
): Promise<IssuedCertificate> {
  const san = [...(hosts.dns ?? []).map((d) => `DNS:${d}`), ...(hosts.ip ?? []).map((i) => `IP:${i}`)];
  if (san.length === 0) throw new Error('a server certificate needs at least one DNS name or IP address');
  const ext = `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san.join(',')}\n`;
  return issue(ca, outDir, 'server', hosts.dns?.[0] ?? hosts.ip![0]!, ext, days);
}
