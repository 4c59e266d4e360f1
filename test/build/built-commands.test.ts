// The bin commands of package.json run the built JavaScript: each answers --help, the backend migrates a
// database from dist/migrations, the delta CLI does real work, and a missing build is named. Outside CI the
// test builds into a temporary copy of the package (bin/, package.json, node_modules linked), so it checks
// the current sources and never replaces a dist/ another process is using.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../support/db.ts';
import { REPO_ROOT, USE_BUILT } from '../support/programs.ts';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), 'ota-build-'));

/** A package root with bin/ and package.json and no dist/. */
function packageCopy(name: string): string {
  const dir = join(work, name);
  cpSync(join(REPO_ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

let installed = REPO_ROOT;

beforeAll(async () => {
  if (USE_BUILT) return; // CI built dist/ before the tests
  installed = packageCopy('installed');
  await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--out', join(installed, 'dist')]);
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd: work, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (code === -1) reject(err ?? new Error('no exit status'));
      else resolve({ code, stdout, stderr });
    });
  });
}

const bin = (name: string, root = installed) => join(root, pkg.bin[name] ?? `(no bin ${name})`);

describe('the built commands', () => {
  it.each(Object.keys(pkg.bin))('%s --help answers from dist/', async (name) => {
    const r = await run(bin(name), ['--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: /);
  });

  describe('ota-backend migrate', () => {
    let dropDatabase: (() => Promise<void>) | undefined;
    afterAll(async () => dropDatabase?.());

    it('applies every migration of migrations/ from the built files', { timeout: 180_000 }, async () => {
      const migrations = readdirSync(join(REPO_ROOT, 'migrations'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.replace(/\.ts$/, ''))
        .sort();
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(work, 'backend-data') };
      if (process.env.DATABASE_URL) {
        const empty = await createEmptyDatabase(process.env.DATABASE_URL);
        env.DATABASE_URL = empty.url;
        dropDatabase = empty.drop;
      }
      const r = await run(bin('ota-backend'), ['migrate'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`applied ${migrations.join(', ')}`);
    });
  });

  it('ota-delta encodes and describes a package', async () => {
    const old = randomBytes(4096);
    const neu = Buffer.concat([old.subarray(0, 1000), Buffer.from('patched'), old.subarray(1000)]);
    writeFileSync(join(work, 'old.bin'), old);
    writeFileSync(join(work, 'new.bin'), neu);
    const encoded = await run(bin('ota-delta'), ['encode', 'old.bin', 'new.bin', 'update.otad']);
    expect(encoded.code).toBe(0);
    const info = await run(bin('ota-delta'), ['info', 'update.otad']);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain(String(neu.length));
  });

  it('a command without a build says how to get one', async () => {
    const bare = packageCopy('bare');
    const r = await run(bin('ota-gateway', bare), ['--help']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dist/vehicle-gateway/cli.js is missing; run `npm run build` first');
  });
});
