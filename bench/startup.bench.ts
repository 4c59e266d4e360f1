// CLI start-up, built (`npm run build`, the bin/ commands on dist/) beside the same command through tsx
// (`node --import tsx`, what development runs): `--help` of every bin, and real commands (a delta encode
// and info of a small package). Wall time of the whole process, median of several runs, one at a time.
// Usage: npm run bench -- startup [--runs N]   (builds dist/ first when it is missing)
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

/** The TypeScript entry a bin runs: the file its npm script starts (`exec node --import tsx FILE`). */
const SOURCES: Record<string, string> = {
  'ota-backend': 'backend/main.ts',
  'ota-gateway': 'vehicle-gateway/cli.ts',
  'ota-ecu-sim': 'ecu-sim/cli.ts',
  'ota-delta': 'scripts/delta.ts',
  'ota-fleet-sim': 'backend/fleet-sim/cli.ts',
  'ota-keys': 'backend/keys/cli.ts',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Runs from the repository root, where `--import tsx` resolves. */
function timeRuns(argv: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    times.push(seconds);
  }
  return median(times);
}

export default async function startup(args: string[]): Promise<void> {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
  if (!existsSync(join(ROOT, 'dist')))
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const old = randomBytes(64 * 1024);
    writeFileSync(join(work, 'old.bin'), old);
    writeFileSync(
      join(work, 'new.bin'),
      Buffer.concat([old.subarray(0, 9000), Buffer.from('fix'), old.subarray(9000)]),
    );
    const cases: { name: string; bin: string; args: string[] }[] = [
      ...Object.keys(pkg.bin).map((bin) => ({ name: `${bin} --help`, bin, args: ['--help'] })),
      {
        name: 'ota-delta encode (64 KiB)',
        bin: 'ota-delta',
        args: ['encode', join(work, 'old.bin'), join(work, 'new.bin'), join(work, 'p.otad')],
      },
      { name: 'ota-delta info', bin: 'ota-delta', args: ['info', join(work, 'p.otad')] },
    ];
    console.log(`median of ${runs} runs, wall time of the whole process (node ${process.version})\n`);
    console.log('| command | built (dist/) s | tsx s | built / tsx |');
    console.log('|---|---:|---:|---:|');
    const empty = timeRuns(['-e', '0'], runs);
    console.log(`| \`node -e 0\` (Node alone, the floor) | ${empty.toFixed(2)} | | |`);
    for (const c of cases) {
      const source = SOURCES[c.bin];
      if (!source) throw new Error(`no source entry known for ${c.bin}`);
      const built = timeRuns([join(ROOT, pkg.bin[c.bin]!), ...c.args], runs);
      const tsx = timeRuns(['--import', 'tsx', join(ROOT, source), ...c.args], runs);
      console.log(`| \`${c.name}\` | ${built.toFixed(2)} | ${tsx.toFixed(2)} | ${(built / tsx).toFixed(2)} |`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
