// The README's configuration reference is every program's schema rendered (environment and flags): this
// fails when the two diverge, when a shown default is not the one the schema applies, or when a program's
// --help does not list its flags with those defaults. `UPDATE_DOCS=1 npx vitest run --project unit
// test/docs` rewrites the README's tables.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { programMarkdown } from '../../runtime/config-reference.ts';
import { nodeArgsFor, REPO_ROOT } from '../support/programs.ts';
import { PROGRAM_CONFIGS } from './program-configs.ts';

const README = join(REPO_ROOT, 'README.md');
const programs = Object.entries(PROGRAM_CONFIGS);

describe('README configuration reference', () => {
  it.each(programs)('lists exactly the environment and flags of %s, with their defaults', (name, program) => {
    const [start, end] = [`<!-- config:${name}:start -->`, `<!-- config:${name}:end -->`];
    const readme = readFileSync(README, 'utf8');
    const [from, to] = [readme.indexOf(start), readme.indexOf(end)];
    expect(from, `README.md has no ${start} ... ${end} block`).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    const expected = `${start}\n${programMarkdown(program)}\n${end}`;
    const actual = readme.slice(from, to + end.length);
    if (process.env.UPDATE_DOCS === '1' && actual !== expected) {
      writeFileSync(README, readme.slice(0, from) + expected + readme.slice(to + end.length));
      return;
    }
    expect(actual).toBe(expected);
  });
});

describe('shown defaults', () => {
  it.each(programs)('of %s are the values its schemas apply', (_name, program) => {
    for (const flags of Object.values(program.commands))
      for (const flag of flags) {
        const applied = flag.schema?.(z).safeParse(undefined);
        // A default the schema applies is shown as it is; one computed later (e.g. "the vehicle file's") is described.
        if (applied?.success && applied.data !== undefined)
          expect(flag.shownDefault, flag.flags).toBe(String(applied.data));
      }
    for (const [name, variable] of Object.entries(program.env ?? {})) {
      const applied = variable.schema(z).safeParse(undefined);
      if (applied.success && applied.data !== undefined) expect(variable.shownDefault, name).toBe(String(applied.data));
    }
  });
});

const run = promisify(execFile);

describe('--help', () => {
  it.each(programs)('of every %s command lists its flags with their defaults', { timeout: 120_000 }, async (_n, p) => {
    const commands = Object.entries(p.commands).filter(([, flags]) => flags.length > 0);
    const helps = await Promise.all(
      commands.map(async ([command]) => {
        const args = [...nodeArgsFor(p.entry), ...(command ? [command] : []), '--help'];
        return (await run(process.execPath, args, { cwd: REPO_ROOT })).stdout.replace(/\s+/g, ' ');
      }),
    );
    commands.forEach(([command, flags], i) => {
      const [help, what] = [helps[i], `${p.bin} ${command} --help`];
      for (const flag of flags) {
        expect(help, what).toContain(flag.flags);
        if (flag.shownDefault) expect(help, what).toContain(`(default: ${flag.shownDefault})`);
        if (flag.env) expect(help, what).toContain(`(env: ${flag.env})`);
      }
    });
  });
});
