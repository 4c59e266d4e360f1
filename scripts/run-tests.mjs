#!/usr/bin/env node
// The test command: the `unit` project on the host (integration tests use DATABASE_URL / MQTT_URL
// when set, embedded PGlite and an in-process broker otherwise), then the `vcan` project through
// scripts/with-vcan (user-mode Linux when the host kernel lacks CAN). Prints one closing line
// "N passed, N failed" over both, and fails when either run failed.
// Arguments are passed to vitest (e.g. a file filter). SKIP_VCAN=1 skips the vcan run, unless
// REQUIRE_VCAN=1, which makes an unavailable vcan a failure. VCAN_LOAD=N runs the vcan project beside N
// CPU-bound processes (scripts/with-load), so timing that only holds on a quiet machine fails; CI sets 2.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reports = join(root, 'test-artifacts', 'reports');
mkdirSync(reports, { recursive: true });
const args = process.argv.slice(2);
const requireVcan = process.env.REQUIRE_VCAN === '1';
const vcanLoad = process.env.VCAN_LOAD ?? '';
if (vcanLoad !== '' && !/^([1-9]|[1-5]\d|6[0-4])$/.test(vcanLoad)) {
  console.error(`VCAN_LOAD must be the number of CPU-bound processes (1..64), got '${vcanLoad}'`);
  process.exit(2);
}
const loadPrefix = vcanLoad === '' ? [] : [join(root, 'scripts', 'with-load'), '--burners', vcanLoad, '--'];

function vitest(project, prefix = []) {
  const out = join(reports, `${project}.json`);
  rmSync(out, { force: true });
  const cmd = [
    ...prefix,
    join(root, 'node_modules', '.bin', 'vitest'),
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...args,
  ];
  console.log(`\n$ ${cmd.join(' ')}`);
  const run = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', cwd: root });
  const status = run.status ?? 1;
  if (!existsSync(out)) return { project, status, passed: 0, failed: status === 0 ? 0 : 1 };
  const report = JSON.parse(readFileSync(out, 'utf8'));
  return { project, status, passed: report.numPassedTests, failed: report.numFailedTests };
}

const results = [vitest('unit')];
if (process.env.SKIP_VCAN === '1' && !requireVcan) {
  console.log('\nvcan tests skipped (SKIP_VCAN=1)');
} else {
  results.push(vitest('vcan', [...loadPrefix, join(root, 'scripts', 'with-vcan'), '--vcan', '4', '--services', '--']));
}

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const bad = results.filter((r) => r.status !== 0);
for (const r of results) console.log(`${r.project}: ${r.passed} passed, ${r.failed} failed (exit ${r.status})`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(bad.length > 0 || failed > 0 ? 1 : 0);
