import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resetDataDir } from './run-demo.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-reset-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('--reset', () => {
  it('deletes a demo data directory', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'demo.json'), '{}');
    resetDataDir(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves a directory alone that is not a demo data directory', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    expect(() => resetDataDir(dir)).toThrow(/does not look like a demo data directory/);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });

  it('refuses while a running demo holds the database', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'backend'));
    // The parent of this test process is alive: it stands for the running demo.
    writeFileSync(join(dir, 'backend', 'pglite.lock'), String(process.ppid));
    expect(() => resetDataDir(dir)).toThrow(/is running on/);
    expect(existsSync(join(dir, 'backend'))).toBe(true);
  });
});
