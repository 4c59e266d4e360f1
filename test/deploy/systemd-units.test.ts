// deploy/systemd's units pass `systemd-analyze verify` without a warning, keep a low exposure score in
// `systemd-analyze security`, and start a command this package ships.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/programs.ts';

const UNITS_DIR = join(REPO_ROOT, 'deploy', 'systemd');
const units = readdirSync(UNITS_DIR).filter((f) => f.endsWith('.service'));
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
/** systemd's scale: 0 safest, 10 unprotected; "OK" ends at 2.9. */
const MAX_EXPOSURE = 2.0;

function analyze(args: string[]): Promise<{ code: number; output: string }> {
  if (!SYSTEMD_ANALYZE)
    throw new Error('systemd-analyze is missing (apt-get install systemd): the unit checks need it');
  return new Promise((resolve) => {
    execFile(SYSTEMD_ANALYZE, args, { cwd: UNITS_DIR }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('systemd units', () => {
  it('are there: backend and gateway', () => {
    expect(units.sort()).toEqual(['ota-backend.service', 'ota-gateway.service']);
  });

  it.for(units)('%s passes systemd-analyze verify without a warning', async (unit) => {
    const r = await analyze(['verify', `./${unit}`]);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it.for(units)('%s is sandboxed (systemd-analyze security)', async (unit) => {
    const r = await analyze(['security', '--offline=yes', '--no-pager', `./${unit}`]);
    const score = /Overall exposure level for \S+: ([\d.]+)/.exec(r.output)?.[1];
    expect(score, r.output).toBeDefined();
    expect(Number(score)).toBeLessThanOrEqual(MAX_EXPOSURE);
  });

  it.for(units)('%s starts a bin command of package.json', (unit) => {
    const bins = Object.values(
      (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin,
    );
    const execStart = /^ExecStart=\S+ \/opt\/ota-platform\/(\S+)/m.exec(
      readFileSync(join(UNITS_DIR, unit), 'utf8'),
    )?.[1];
    expect(bins).toContain(execStart);
  });
});
