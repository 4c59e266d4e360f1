// How tests start the programs as processes: the TypeScript through tsx while developing, the built
// JavaScript in dist/ when OTA_TEST_BUILT=1 (CI, after `npm run build`), so CI runs what ships.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Whether this run starts the built programs (dist/) instead of the TypeScript sources. */
export const USE_BUILT = process.env.OTA_TEST_BUILT === '1';

/** Node's arguments that run `entry` (a .ts file relative to the repository root, e.g. `ecu-sim/cli.ts`). */
export function nodeArgsFor(entry: string): string[] {
  if (!USE_BUILT) return ['--import', 'tsx', join(REPO_ROOT, entry)];
  const built = join(REPO_ROOT, 'dist', entry.replace(/\.tsx?$/, '.js'));
  if (!existsSync(built)) throw new Error(`OTA_TEST_BUILT=1 but ${built} is missing: run \`npm run build\` first`);
  return [built];
}
