// Shared by the bin/ commands: runs a program from dist/ (the JavaScript that `npm run build` wrote), or
// says how to get it when the build is missing.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

export async function runBuilt(entry) {
  const file = new URL(`../dist/${entry}`, import.meta.url);
  if (!existsSync(file)) {
    console.error(`${basename(process.argv[1] ?? 'ota')}: dist/${entry} is missing; run \`npm run build\` first`);
    process.exit(2);
  }
  await import(file.href);
}
