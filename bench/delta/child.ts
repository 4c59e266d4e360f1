// Runs one codec operation in a fresh process and prints {ms, maxRssBytes, startRssBytes} as JSON,
// so the benchmark can report peak memory per operation: startRssBytes is the peak after the
// runtime and the codec are loaded, before any file is read.
//   node --import tsx bench/delta/child.ts encode OLD NEW PACKAGE
//   node --import tsx bench/delta/child.ts decode OLD PACKAGE OUT
import { createReadStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { decodeStream, encode } from '../../delta/index.ts';

const [op, a, b, c] = process.argv.slice(2);
const startRssBytes = process.resourceUsage().maxRSS * 1024;
const started = performance.now();
if (op === 'encode' && a && b && c) {
  const [old, neu] = await Promise.all([readFile(a), readFile(b)]);
  await writeFile(c, encode(old, neu));
} else if (op === 'decode' && a && b && c) {
  const old = await readFile(a);
  const out = await open(c, 'w');
  try {
    for await (const chunk of decodeStream(old, createReadStream(b))) await out.write(chunk);
  } finally {
    await out.close();
  }
} else {
  process.stderr.write('usage: child.ts encode OLD NEW PKG | decode OLD PKG OUT\n');
  process.exit(2);
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, startRssBytes })}\n`);
