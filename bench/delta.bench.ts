// Delta packages on the real corpus pairs: this codec's package size beside bsdiff, xdelta3 -9 and
// zstd --patch-from, and its full-image fallback beside xz -9e, zstd -19 --long and brotli -q 11,
// all run in the same script; plus encode time beside bsdiff's and decode peak memory (each codec
// operation measured in a fresh child process).
//   npm run bench -- delta [CASE ...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPackageHeader } from '@ota/delta';

interface Measure {
  ms: number;
  maxRssBytes: number;
  startRssBytes: number;
}

/** A peer tool's output size and run time, or undefined when the tool is missing or fails. */
type Peer = { bytes: number; ms: number } | undefined;

interface PairResult {
  name: string;
  oldBytes: number;
  newBytes: number;
  ours: number;
  kind: string;
  plain: number;
  full: number;
  enc: Measure;
  dec: Measure;
  deltaPeers: { bsdiff: Peer; xdelta: Peer; zstd: Peer };
  fullPeers: { xz: Peer; zstd: Peer; brotli: Peer };
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const corpusDir = process.env.OTA_DELTA_CORPUS ?? resolve(benchDir, '../../shared/corpus/delta');
const child = join(benchDir, 'delta/child.ts');
const MIB = 1024 * 1024;
/** The decode memory budget beyond the runtime's baseline: old + new + this. */
const DECODE_SLACK = 8 * MIB;

function runChild(...args: string[]): Measure {
  const out = execFileSync(process.execPath, ['--import', 'tsx', child, ...args], {
    encoding: 'utf8',
    cwd: resolve(benchDir, '..'), // where tsx resolves
  });
  return JSON.parse(out) as Measure;
}

function peer(cmd: string, args: string[], out: string): Peer {
  try {
    const started = performance.now();
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    return { bytes: statSync(out).size, ms: performance.now() - started };
  } catch {
    return undefined;
  }
}

function deltaPeers(old: string, neu: string, work: string): PairResult['deltaPeers'] {
  const p = (file: string): string => join(work, file);
  return {
    bsdiff: peer('bsdiff', [old, neu, p('p.bsdiff')], p('p.bsdiff')),
    xdelta: peer('xdelta3', ['-9', '-e', '-f', '-s', old, neu, p('p.xd3')], p('p.xd3')),
    zstd: peer('zstd', ['-q', '-f', '-19', '--long=27', `--patch-from=${old}`, neu, '-o', p('p.zst')], p('p.zst')),
  };
}

function fullPeers(neu: string, work: string): PairResult['fullPeers'] {
  const p = (file: string): string => join(work, file);
  return {
    // xz writes to stdout only; a missing xz makes sh fail, which counts as missing.
    xz: peer('sh', ['-c', 'xz -9e -c "$0" > "$1"', neu, p('f.xz')], p('f.xz')),
    zstd: peer('zstd', ['-q', '-f', '-19', '--long=27', neu, '-o', p('f.zst')], p('f.zst')),
    brotli: peer('brotli', ['-f', '-q', '11', '-w', '24', neu, '-o', p('f.br')], p('f.br')),
  };
}

function measurePair(name: string, work: string): PairResult {
  const old = join(corpusDir, `${name}.old`);
  const neu = join(corpusDir, `${name}.new`);
  const pkg = join(work, `${name}.otad`);
  const out = join(work, `${name}.out`);
  const enc = runChild('encode', old, neu, pkg);
  const dec = runChild('decode', old, pkg, out);
  if (!readFileSync(out).equals(readFileSync(neu))) throw new Error(`${name}: decoded image differs`);
  const pkgBytes = readFileSync(pkg);
  const h = readPackageHeader(pkgBytes);
  const kind = {
    'full-brotli': `full image, ${h.transform}`,
    'bsdiff-brotli': `${h.diffWord}-byte words, ${h.transform}`,
    'lzma-section': 'LZMA section recompressed',
  }[h.method];
  runChild('encode-plain', old, neu, join(work, 'plain.otad'));
  runChild('encode-full', old, neu, join(work, 'full.otad'));
  return {
    name,
    oldBytes: statSync(old).size,
    newBytes: statSync(neu).size,
    ours: pkgBytes.length,
    kind,
    plain: statSync(join(work, 'plain.otad')).size,
    full: statSync(join(work, 'full.otad')).size,
    enc,
    dec,
    deltaPeers: deltaPeers(old, neu, work),
    fullPeers: fullPeers(neu, work),
  };
}

const fmt = (p: Peer): string => (p === undefined ? 'n/a' : String(p.bytes));
const mib = (bytes: number): string => (bytes / MIB).toFixed(1);
const best = (peers: Peer[]): number | undefined => {
  const sizes = peers.filter((p) => p !== undefined).map((p) => p.bytes);
  return sizes.length ? Math.min(...sizes) : undefined;
};
const ratio = (n: number, d: number | undefined): string => (d === undefined ? 'n/a' : (n / d).toFixed(3));

function printTables(results: PairResult[]): void {
  console.log(
    '| case | new bytes | this codec (diff word, transform) | without transform | bsdiff | xdelta3 -9 | zstd -19 --patch-from | ratio vs best peer |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const { bsdiff, xdelta, zstd } = r.deltaPeers;
    console.log(
      `| ${r.name} | ${r.newBytes} | **${r.ours}** (${r.kind}) | ${r.plain} (${ratio(r.ours, r.plain)}) | ${fmt(bsdiff)} | ${fmt(xdelta)} | ${fmt(zstd)} | ${ratio(r.ours, best([bsdiff, xdelta, zstd]))} |`,
    );
  }
  console.log("\nFull images: this codec's fallback (brotli 11, window up to 16 MiB, code transform if smaller)");
  console.log('beside the CLIs; "package vs best" is the package above (delta or not) against the best of them.\n');
  console.log(
    '| case | fallback | xz -9e | zstd -19 --long=27 | brotli -q 11 -w 24 | fallback vs best | package vs best |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const { xz, zstd, brotli } = r.fullPeers;
    const b = best([xz, zstd, brotli]);
    console.log(
      `| ${r.name} | ${r.full} | ${fmt(xz)} | ${fmt(zstd)} | ${fmt(brotli)} | ${ratio(r.full, b)} | ${ratio(r.ours, b)} |`,
    );
  }
  console.log('\nPeak RSS of the whole process (node + tsx + codec); "decode growth" is the peak minus the');
  console.log('peak already reached once the runtime and codec were loaded, before any file was read.\n');
  console.log('| case | encode s | bsdiff s | decode ms | decode growth MiB | budget old + new + 8 MiB | within |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    const growth = r.dec.maxRssBytes - r.dec.startRssBytes;
    const budget = r.oldBytes + r.newBytes + DECODE_SLACK;
    const bsdiff = r.deltaPeers.bsdiff;
    console.log(
      `| ${r.name} | ${(r.enc.ms / 1000).toFixed(2)} | ${bsdiff ? (bsdiff.ms / 1000).toFixed(2) : 'n/a'} | ${r.dec.ms.toFixed(0)} | ${mib(growth)} | ${mib(budget)} | ${growth <= budget ? 'yes' : 'NO'} |`,
    );
  }
}

export default async function bench(args: string[]): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as { cases: { case: string }[] };
  const names = manifest.cases.map((c) => c.case).filter((n) => args.length === 0 || args.includes(n));
  const work = mkdtempSync(join(tmpdir(), 'delta-bench-'));
  const results: PairResult[] = [];
  try {
    for (const name of names) {
      process.stderr.write(`delta bench: ${name}\n`);
      results.push(measurePair(name, work));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`Measured ${new Date().toISOString().slice(0, 10)}, node ${process.version}.\n`);
  printTables(results);
}
