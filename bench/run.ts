// `npm run bench` runs every benchmark; `npm run bench -- NAME [args]` runs one.
// A benchmark is bench/NAME.bench.ts whose default export is `(args: string[]) => Promise<void>`
// and prints its own table (figures beside a peer measured in the same run).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Bench = (args: string[]) => Promise<void>;

const benchDir = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const [name, ...args] = process.argv.slice(2);
const selected = name ? [name] : available;
for (const bench of selected) {
  if (!available.includes(bench)) {
    console.error(`unknown benchmark "${bench}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## bench: ${bench}\n`);
  const mod = (await import(pathToFileURL(join(benchDir, `${bench}.bench.ts`)).href)) as { default: Bench };
  await mod.default(name ? args : []);
}
