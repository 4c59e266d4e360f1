// `--help` of every program answers from plain data: it must not load the schema library, the database,
// the web framework, the MQTT code or the x509 library (start-up on a TCU, issue 14). Each program runs
// with a preload that records every module it resolves (test/support/record-modules.mjs); built or through
// tsx as test/support/programs.ts decides. How fast that makes it is measured by `npm run bench -- startup`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgsFor, REPO_ROOT } from '../support/programs.ts';
import { PROGRAM_CONFIGS } from '../docs/program-configs.ts';

const HEAVY = [
  'zod',
  'kysely',
  'pg',
  '@electric-sql/pglite',
  '@peculiar/x509',
  'hono',
  '@hono/node-server',
  'mqtt',
  'aedes',
  'pino',
  'prom-client',
];
const RECORDER = join(REPO_ROOT, 'test/support/record-modules.mjs');
const work = mkdtempSync(join(tmpdir(), 'help-modules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The packages (node_modules/NAME or @scope/name) whose modules Node resolved, run with `args`. */
async function packagesLoaded(name: string, args: string[]): Promise<string[]> {
  const file = join(work, `${name}.txt`);
  await promisify(execFile)(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, RECORD_MODULES_FILE: file },
  });
  const packages = readFileSync(file, 'utf8')
    .split('\n')
    .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
    .filter((p): p is string => p !== undefined);
  return [...new Set(packages)].sort();
}

describe('--help loads no heavy module', () => {
  it('the recorder sees a heavy module when a program loads one', { timeout: 120_000 }, async () => {
    // The check itself can fail: a program that imports zod at the top is caught.
    const program = ['--input-type=module', '-e', "await import('commander'); await import('zod');"];
    expect(await packagesLoaded('control', ['--import', RECORDER, ...program])).toEqual(['commander', 'zod']);
  });

  const commands = Object.entries(PROGRAM_CONFIGS).flatMap(([name, p]) =>
    // The program's own --help, then each command's.
    [...new Set(['', ...Object.keys(p.commands)])].map((command) => ({ name, entry: p.entry, command })),
  );
  it.each(commands)('$name $command --help', { timeout: 120_000 }, async ({ name, entry, command }) => {
    const node = nodeArgsFor(entry);
    // The recorder goes last before the program, so it also sees what tsx passes on.
    node.splice(node.length - 1, 0, '--import', RECORDER);
    const loaded = await packagesLoaded(`${name}-${command}`, [...node, ...(command ? [command] : []), '--help']);
    expect(loaded).toContain('commander');
    expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
  });
});
