import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.ts';

describe('lockDataDir', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lock-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses a directory held by a live process and takes over a stale lock', async () => {
    const data = join(dir, 'pglite');
    await writeFile(`${data}.lock`, String(process.ppid));
    expect(() => lockDataDir(data)).toThrow(/in use by process/);
    await writeFile(`${data}.lock`, '999999999');
    const release = lockDataDir(data);
    expect(await readFile(`${data}.lock`, 'utf8')).toBe(String(process.pid));
    release();
    await expect(readFile(`${data}.lock`, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
