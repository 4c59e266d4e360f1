// CLI start-up, built (`npm run build`, the bin/ commands on dist/) beside the same command through tsx
// (`node --import tsx`, what development runs): `--help` of every bin, and real commands (a delta encode
// and info of a small package). Wall time of the whole process, median of several runs, one at a time. Then
// the gateway's resident memory, built and through tsx: idle with its flash code loaded, and while flashing a
// simulated ECU on the in-memory bus (bench/gateway-memory/flash-child.mjs), read from /proc from outside.
// Usage: npm run bench -- startup [--runs N] [--memory-only]   (builds dist/ first when it is missing)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseStatusBytes } from './fleet/proc-stats.ts';

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
  'ota-fleet-sim': 'fleet-sim/cli.ts',
  'ota-keys': 'backend/keys/cli.ts',
  'ota-verify-audit': 'backend/audit/verify-cli.ts',
  'ota-advisories': 'backend/vulnerabilities/cli.ts',
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

/** VmRSS and VmHWM (peak) of a process in MiB, from /proc (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mib = (field: 'VmRSS' | 'VmHWM') => parseStatusBytes(status, field) / 1024 / 1024;
    return { rss: mib('VmRSS'), peak: mib('VmHWM') };
  } catch {
    return undefined; // exited between two samples, or a zombie (no memory lines)
  }
}

interface MemoryRow {
  idle: number;
  simulator: number;
  flashing: number;
  peak: number;
  flashSeconds: number;
}

/** Runs the flash child once, sampling its memory every 20 ms by the phase it announced last. */
async function gatewayMemory(mode: 'built' | 'tsx', childArgs: string[]): Promise<MemoryRow> {
  const node = mode === 'tsx' ? ['--import', 'tsx'] : [];
  const child = spawn(
    process.execPath,
    [...node, join(ROOT, 'bench/gateway-memory/flash-child.mjs'), mode, ...childArgs],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const samples: Record<string, number[]> = { idle: [], simulator: [], flashing: [] };
  let phase = 'starting';
  let peak = 0;
  let flashStarted = 0;
  let flashSeconds = NaN;
  let outcome = '';
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (line.startsWith('flashed')) {
        outcome = line;
        flashSeconds = (performance.now() - flashStarted) / 1000;
        phase = 'stopping';
      } else phase = line;
      if (phase === 'flashing') flashStarted = performance.now();
    }
  });
  const timer = setInterval(() => {
    const m = memoryOf(child.pid!);
    if (!m) return;
    samples[phase]?.push(m.rss);
    peak = Math.max(peak, m.peak);
  }, 20);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  clearInterval(timer);
  if (code !== 0 || !outcome.startsWith('flashed succeeded'))
    throw new Error(`flash child (${mode}) ended ${code}: ${outcome}`);
  return {
    idle: median(samples.idle!),
    simulator: median(samples.simulator!),
    flashing: Math.max(...samples.flashing!),
    peak,
    flashSeconds,
  };
}

async function memoryTable(work: string): Promise<void> {
  const vehicle = join(ROOT, 'ecu-sim/vehicles/example.json');
  const image = join(work, 'ecm.bin');
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'ecu-sim/make-image.ts'),
      ...['--vehicle', vehicle, '--ecu', 'ecm', '--version', '2.4.2', '--out', image, '--sign'],
    ],
    { cwd: ROOT },
  );
  console.log(
    '\ngateway resident memory (VmRSS, MiB): `ota-gateway flash` code, one 256 KiB ECU on the in-memory bus\n',
  );
  console.log(
    '| gateway | idle, flash code loaded | + simulated ECU started | while flashing (max) | peak (VmHWM) | flash s |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const mode of ['built', 'tsx'] as const) {
    const m = await gatewayMemory(mode, [vehicle, 'ecm', image, `${image}.sig`, join(work, `ecus-${mode}`)]);
    const f = (n: number) => n.toFixed(1);
    console.log(
      `| ${mode} | ${f(m.idle)} | ${f(m.simulator)} | ${f(m.flashing)} | ${f(m.peak)} | ${m.flashSeconds.toFixed(1)} |`,
    );
  }
}

export default async function startup(args: string[]): Promise<void> {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
  const memoryOnly = args.includes('--memory-only');
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
    if (memoryOnly) return await memoryTable(work);
    console.log(`median of ${runs} runs, wall time of the whole process (node ${process.version})`);
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} CPUs\n`,
    );
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
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end`,
    );
    await memoryTable(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
