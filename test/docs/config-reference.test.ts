// The README's configuration reference is the backend's environment schema rendered: this fails when the
// two diverge. `UPDATE_DOCS=1 npx vitest run --project unit test/docs` rewrites the README's table.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKEND_ENV } from '../../backend/config.ts';
import { envMarkdown } from '../../runtime/env-config.ts';
import { REPO_ROOT } from '../support/programs.ts';

const README = join(REPO_ROOT, 'README.md');
const START = '<!-- config:backend:start -->';
const END = '<!-- config:backend:end -->';

describe('README configuration reference', () => {
  it('lists exactly the variables of the backend schema, with their defaults', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, `README.md has no ${START} ... ${END} block`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const expected = `${START}\n${envMarkdown(BACKEND_ENV)}\n${END}`;
    const actual = readme.slice(start, end + END.length);
    if (process.env.UPDATE_DOCS === '1' && actual !== expected) {
      writeFileSync(README, readme.slice(0, start) + expected + readme.slice(end + END.length));
      return;
    }
    expect(actual).toBe(expected);
  });
});
