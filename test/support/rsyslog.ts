// A real rsyslog (Debian's rsyslogd with the GnuTLS driver) started by a test: a TLS syslog listener (imtcp,
// octet counting) with a certificate made by openssl for the test, writing each message's raw text to a file.
// The test can stop and start it again (collector restarts).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, retryWhilePortTaken, spawnServer } from './net.ts';

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/usr/bin/rsyslogd'].find((p) => existsSync(p));
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export interface TestRsyslog {
  readonly port: number;
  /** The CA that signed the listener's certificate (PEM file), for the sender to verify it. */
  readonly caFile: string;
  /** Raw messages received so far, one per line. */
  lines(): string[];
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A CA and a server certificate for 127.0.0.1 signed by it. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    ...EC,
    '-days',
    '2',
    '-subj',
    '/CN=test syslog CA',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  openssl('req', ...EC, '-subj', '/CN=localhost', '-keyout', 'server-key.pem', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
}

function config(dir: string, port: number): string {
  return `
global(workDirectory="${dir}/work"
       defaultNetstreamDriver="gtls"
       defaultNetstreamDriverCAFile="${dir}/ca.pem"
       defaultNetstreamDriverCertFile="${dir}/server.pem"
       defaultNetstreamDriverKeyFile="${dir}/server-key.pem")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="${dir}/received.log" template="raw")
`;
}

export async function startRsyslog(): Promise<TestRsyslog> {
  if (!RSYSLOGD) throw new Error('rsyslog is not installed (apt-get install rsyslog rsyslog-gnutls)');
  const dir = await mkdtemp(join(tmpdir(), 'rsyslog-'));
  makeCertificates(dir);
  execFileSync('mkdir', ['-p', join(dir, 'work')]);
  const out = join(dir, 'received.log');
  let child: ChildProcess | null = null;
  const startOn = async (port: number) => {
    writeFileSync(join(dir, 'rsyslog.conf'), config(dir, port));
    child = await spawnServer(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], port);
    return port;
  };
  // rsyslogd cannot bind port 0; restarts keep the port, which the sender under test was given.
  const port = await retryWhilePortTaken(freePort, startOn);
  const start = async () => void (await retryWhilePortTaken(async () => port, startOn));
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  return {
    port,
    caFile: join(dir, 'ca.pem'),
    lines: () =>
      existsSync(out)
        ? readFileSync(out, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
        : [],
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
