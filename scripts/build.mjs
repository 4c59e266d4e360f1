#!/usr/bin/env node
// `npm run build` (also npm's `prepare`, so `npm ci` leaves the commands ready): compiles the programs and
// libraries to JavaScript in dist/ once, with the same layout as the sources, so the bin/ commands start
// without a TypeScript compiler. Development keeps running the .ts files through tsx.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// `--out DIR` builds elsewhere (the build test does, so that it never replaces a dist/ in use).
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : join(root, 'dist');

rmSync(out, { recursive: true, force: true });
const started = Date.now();
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], {
  cwd: root,
  stdio: 'inherit',
});
if (run.status !== 0) {
  console.error(`build: tsc failed; ${out} is incomplete`);
  process.exit(run.status ?? 1);
}
console.log(`build: ${out} written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
