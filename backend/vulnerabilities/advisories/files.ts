import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedAdvisory } from './advisory.ts';
import { parseAdvisoryFile } from './read.ts';

/** Advisories from a file (.json or an OSV export .zip) or every .json/.zip under a directory. */
export async function readAdvisoryPath(path: string): Promise<ParsedAdvisory[]> {
  if ((await stat(path)).isDirectory()) {
    const names = (await readdir(path, { recursive: true }))
      .filter((n) => n.endsWith('.json') || n.endsWith('.zip'))
      .sort();
    const out: ParsedAdvisory[] = [];
    for (const n of names) out.push(...parseAdvisoryFile(n, await readFile(join(path, n))));
    return out;
  }
  return parseAdvisoryFile(path, await readFile(path));
}
