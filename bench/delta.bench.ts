// Delta packages on the real corpus pairs: this codec's package size beside bsdiff, xdelta3 -9 and
// zstd --patch-from run in the same script, plus its encode/decode time and peak memory (each
// measured in a fresh child process).
//   npm run bench -- delta [CASE ...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPackageHeader } from '../delta/index.ts';

interface Measure {
  ms: number;
  maxRssBytes: number;
  startRssBytes: number;
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const corpusDir = process.env.OTA_DELTA_CORPUS ?? resolve(benchDir, '../../shared/corpus/delta');
const child = join(benchDir, 'delta/child.ts');

function runChild(...args: string[]): Measure {
  const out = execFileSync(process.execPath, ['--import', 'tsx', child, ...args], {
    encoding: 'utf8',
    cwd: resolve(benchDir, '..'), // where tsx resolves
  });
  return JSON.parse(out) as Measure;
}

/** Size of the file a peer tool writes, or undefined when the tool is missing or fails. */
function peerSize(cmd: string, args: string[], out: string): number | undefined {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    return statSync(out).size;
  } catch {
    return undefined;
  }
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const fmt = (n: number | undefined): string => (n === undefined ? 'n/a' : String(n));

export default async function bench(args: string[]): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as { cases: { case: string }[] };
  const names = manifest.cases.map((c) => c.case).filter((n) => args.length === 0 || args.includes(n));
  const work = mkdtempSync(join(tmpdir(), 'delta-bench-'));
  const rows: string[] = [];
  const timing: string[] = [];
  try {
    for (const name of names) {
      const old = join(corpusDir, `${name}.old`);
      const neu = join(corpusDir, `${name}.new`);
      const pkg = join(work, `${name}.otad`);
      const out = join(work, `${name}.out`);
      process.stderr.write(`delta bench: ${name}\n`);
      const enc = runChild('encode', old, neu, pkg);
      const dec = runChild('decode', old, pkg, out);
      if (!readFileSync(out).equals(readFileSync(neu))) throw new Error(`${name}: decoded image differs`);
      const pkgBytes = readFileSync(pkg);
      const ours = pkgBytes.length;
      const { diffWord } = readPackageHeader(pkgBytes);
      const method = diffWord === null ? 'full image' : `delta, ${diffWord}-byte words`;
      const bsdiff = peerSize('bsdiff', [old, neu, join(work, 'p.bsdiff')], join(work, 'p.bsdiff'));
      const xdelta = peerSize('xdelta3', ['-9', '-e', '-f', '-s', old, neu, join(work, 'p.xd3')], join(work, 'p.xd3'));
      const zstd = peerSize(
        'zstd',
        ['-q', '-f', '-19', '--long=27', `--patch-from=${old}`, neu, '-o', join(work, 'p.zst')],
        join(work, 'p.zst'),
      );
      const peers = [bsdiff, xdelta, zstd].filter((n): n is number => n !== undefined);
      const bestPeer = peers.length ? Math.min(...peers) : undefined;
      const newBytes = statSync(neu).size;
      rows.push(
        `| ${name} | ${newBytes} | **${ours}** (${((100 * ours) / newBytes).toFixed(2)} %, ${method}) | ${fmt(bsdiff)} | ${fmt(xdelta)} | ${fmt(zstd)} | ${bestPeer === undefined ? 'n/a' : (ours / bestPeer).toFixed(3)} |`,
      );
      timing.push(
        `| ${name} | ${(enc.ms / 1000).toFixed(2)} | ${mib(enc.maxRssBytes)} | ${dec.ms.toFixed(0)} | ${mib(dec.maxRssBytes)} | ${mib(dec.maxRssBytes - dec.startRssBytes)} | ${mib(statSync(old).size + newBytes)} |`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    '| case | new image bytes | this codec | bsdiff | xdelta3 -9 | zstd -19 --patch-from | ratio vs best peer |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  console.log('\nPeak RSS of the whole process (node + tsx + codec); "decode growth" is the peak minus the');
  console.log('peak already reached once the runtime and codec were loaded, before any file was read.\n');
  console.log(
    '| case | encode s | encode peak RSS MiB | decode ms | decode peak RSS MiB | decode growth MiB | old + new MiB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const t of timing) console.log(t);
}
