import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The one module allowed to write a vehicle's campaign state, its events and its counts. */
const WRITER = 'backend/campaigns/vehicle-moves.ts';
/** Fills the schema as it was before the counts existed, to test their migration. */
const MIGRATION_TEST = 'backend/db/state-migrations.test.ts';
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'migrations', 'coverage']);
const CODE = /\.(ts|mts|cts|js|mjs|cjs|sql)$/;
const TABLE = String.raw`campaign_vehicle(?:s|_events|_event_batches|_counts)\b`;
const WRITES = [
  new RegExp(
    String.raw`\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|MERGE\s+INTO|COPY)\s+(?:ONLY\s+)?${TABLE}`,
    'gi',
  ),
  new RegExp(String.raw`\b(?:updateTable|insertInto|deleteFrom|replaceInto|mergeInto)\(\s*['"\`]${TABLE}`, 'g'),
];

async function* codeFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* codeFiles(join(dir, entry.name));
    } else if (CODE.test(entry.name)) {
      yield join(dir, entry.name);
    }
  }
}

describe('campaign vehicle state', () => {
  it(`is written only by ${WRITER} (tests and tools included)`, async () => {
    const self = relative(root, fileURLToPath(import.meta.url));
    const offenders: string[] = [];
    for await (const file of codeFiles(root)) {
      const path = relative(root, file);
      if (path === WRITER || path === MIGRATION_TEST || path === self) continue;
      const text = await readFile(file, 'utf8');
      for (const write of WRITES) {
        for (const m of text.matchAll(write)) {
          const line = text.slice(0, m.index).split('\n').length;
          offenders.push(`${path}:${line}: ${m[0].replace(/\s+/g, ' ')}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
