// Runs one codec operation in a fresh process and prints {ms, maxRssBytes, startRssBytes} as JSON,
// so the benchmark can report peak memory per operation: startRssBytes is the peak after the
// runtime and the codec are loaded, before any file is read.
//   node --import tsx bench/delta/child.ts encode|encode-plain|encode-full OLD NEW PACKAGE
//   node --import tsx bench/delta/child.ts decode OLD PACKAGE OUT
// encode: encodeAsync (every method, lzma-section included); encode-plain: a delta without code
// transform; encode-full: the full-image fallback alone.
import { createReadStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { decodeStream, encode, encodeAsync } from '@ota/delta';
import type { EncodeOptions } from '@ota/delta';

const ENCODE_OPTIONS: Record<string, EncodeOptions> = {
  encode: {},
  'encode-plain': { method: 'bsdiff-brotli', transform: 'none' },
  'encode-full': { method: 'full-brotli' },
};

const [op = '', a, b, c] = process.argv.slice(2);
const startRssBytes = process.resourceUsage().maxRSS * 1024;
const started = performance.now();
const encodeOptions = ENCODE_OPTIONS[op];
if (encodeOptions && a && b && c) {
  const [old, neu] = await Promise.all([readFile(a), readFile(b)]);
  await writeFile(c, op === 'encode' ? await encodeAsync(old, neu) : encode(old, neu, encodeOptions));
} else if (op === 'decode' && a && b && c) {
  const old = await readFile(a);
  const out = await open(c, 'w');
  try {
    for await (const chunk of decodeStream(old, createReadStream(b))) await out.write(chunk);
  } finally {
    await out.close();
  }
} else {
  process.stderr.write('usage: child.ts encode|encode-plain|encode-full OLD NEW PKG | decode OLD PKG OUT\n');
  process.exit(2);
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, startRssBytes })}\n`);
