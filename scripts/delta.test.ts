import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgsFor } from '../test/support/programs.ts';

const dir = mkdtempSync(join(tmpdir(), 'delta-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgsFor('scripts/delta.ts'), ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('npm run delta', () => {
  const old = randomBytes(20_000);
  const neu = Buffer.concat([old.subarray(0, 8000), randomBytes(64), old.subarray(8000)]);
  const oldPath = join(dir, 'old.bin');
  const newPath = join(dir, 'new.bin');
  const pkgPath = join(dir, 'update.otad');
  writeFileSync(oldPath, old);
  writeFileSync(newPath, neu);

  it('encodes, describes and decodes a package', async () => {
    const enc = await run('encode', '--quiet', oldPath, newPath, pkgPath);
    expect(enc.code).toBe(0);
    const info = await run('info', '--json', pkgPath);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ method: 'bsdiff-brotli', result: { length: neu.length } });
    const outPath = join(dir, 'out.bin');
    expect((await run('decode', oldPath, pkgPath, outPath)).code).toBe(0);
    expect(readFileSync(outPath).equals(neu)).toBe(true);
  });

  it('fails with status 1 on a wrong base and leaves no output file behind', async () => {
    const outPath = join(dir, 'wrong.bin');
    const res = await run('decode', newPath, pkgPath, outPath);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('base_mismatch');
    expect(readdirSync(dir).filter((f) => f.includes('wrong'))).toEqual([]);
  });

  it('fails with status 2 on a usage error', async () => {
    expect((await run('decode', oldPath)).code).toBe(2);
    expect((await run('encode', '--quality', '12', oldPath, newPath, pkgPath)).code).toBe(2);
  });
});
