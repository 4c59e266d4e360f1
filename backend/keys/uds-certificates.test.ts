// The UDS (0x29) PKI through the keys CLI: a CA, a P-256 tester certificate it issued, keys 0600 and never printed.
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeArgsFor } from '../../test/support/programs.ts';

const run = promisify(execFile);
const keys = (...args: string[]) => run(process.execPath, [...nodeArgsFor('backend/keys/cli.ts'), ...args]);

describe('keys CLI: init-uds-ca and issue-uds-cert', () => {
  it('issues a tester certificate the CA verifies, with its role as OU; private keys stay out of the output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uds-ca-'));
    const ca = await keys('init-uds-ca', '--dir', join(dir, 'ca'));
    const issued = await keys(
      'issue-uds-cert',
      ...['--ca-dir', join(dir, 'ca'), '--name', 'gateway-1', '--role', 'programming', '--out', join(dir, 'gw')],
      ...['--algorithm', 'p256', '--days', '30'],
    );
    for (const out of [ca, issued]) expect(out.stdout + out.stderr).not.toMatch(/PRIVATE KEY/);
    expect(issued.stdout.trim().split('\n')).toEqual([
      join(dir, 'gw', 'gateway-1.crt'),
      join(dir, 'gw', 'gateway-1.key'),
    ]);

    const anchor = new X509Certificate(await readFile(join(dir, 'ca', 'uds-ca.crt')));
    const cert = new X509Certificate(await readFile(join(dir, 'gw', 'gateway-1.crt')));
    expect(anchor.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(anchor) && cert.verify(anchor.publicKey)).toBe(true);
    expect(cert.subject.split('\n')).toEqual(['CN=gateway-1', 'OU=programming']);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const validDays = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(validDays)).toBe(30);
    const key = createPrivateKey(await readFile(join(dir, 'gw', 'gateway-1.key'), 'utf8'));
    expect(key.asymmetricKeyType).toBe('ec');
    expect((await stat(join(dir, 'gw', 'gateway-1.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'ca', 'uds-ca.key'))).mode & 0o777).toBe(0o600);
  });

  it('refuses an unknown role, naming the option', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uds-ca-'));
    await keys('init-uds-ca', '--dir', dir);
    const refused = keys('issue-uds-cert', '--ca-dir', dir, '--name', 'x', '--role', 'admin', '--out', dir);
    await expect(refused).rejects.toMatchObject({
      stderr: expect.stringMatching(/--role="admin": must be one of programming, diagnostics, ecu/),
    });
  });
});
