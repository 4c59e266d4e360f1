#!/usr/bin/env node
// `npm run build` (also npm's `prepare`, so `npm ci` leaves the commands ready): compiles the programs and
// libraries to JavaScript in dist/ once, with the same layout as the sources, so the bin/ commands start
// without a TypeScript compiler. Development keeps running the .ts files through tsx.
// The workspace libraries (`@ota/protocol`, …) resolve in development through node_modules/@ota/* to
// their sources, whose `exports` name .ts files. The built programs must load the built JavaScript
// instead: each library in dist/ gets its package.json with the exports renamed to .js, and
// dist/node_modules/@ota/NAME links to it, which Node finds first from any file under dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { workspaceLibraries } from './workspace-libraries.mjs';

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

for (const lib of workspaceLibraries(root)) {
  const built = join(out, lib.dir);
  const exports = {};
  for (const entry of lib.entries) {
    const file = join(built, relative(lib.root, entry.file)).replace(/\.tsx?$/, '.js');
    // An entry that is not built (tests' helpers under testing/) is left out, so importing it fails.
    if (existsSync(file)) exports[entry.subpath] = `./${relative(built, file)}`;
  }
  const pkg = { name: lib.name, private: true, type: 'module', exports };
  writeFileSync(join(built, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const link = join(out, 'node_modules', lib.name);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), built), link, 'dir');
}
console.log(`build: ${out} written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
