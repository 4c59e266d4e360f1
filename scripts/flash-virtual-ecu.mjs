#!/usr/bin/env node
// The engineer's one command: flash one ECU of a simulated vehicle over vcan, on any kernel.
//   scripts/flash-virtual-ecu.mjs --ecu ecm --version 2.4.2              (a TEST-signed image made on the fly)
//   scripts/flash-virtual-ecu.mjs --ecu ecm --image ecm.bin [--signature ecm.bin.sig] [--vehicle FILE]
// It re-runs itself inside scripts/with-vcan when the ECU's interface is missing, starts the ECU simulator on a
// fresh state directory, waits for its "control channel on" line (printed once every ECU listens), runs the
// gateway's `flash` (progress bar on stderr, summary on stdout), stops the simulator whatever happens and exits
// with the flash's status. Plain JavaScript, so it runs before `npm run build` and without tsx.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const NAME = 'flash-virtual-ecu';
const READY_LINE = /^control channel on /;
const READY_TIMEOUT_MS = 120_000; // tsx compiling on user-mode Linux's one slow CPU takes tens of seconds
const STOP_TIMEOUT_MS = 10_000;
// The gateway's exit codes (vehicle-gateway/cli/cli-error.ts), and ours when the simulator fails.
const EXIT = { usage: 2, unreachable: 3, simulator: 5 };

const USAGE = `usage: scripts/flash-virtual-ecu.mjs --ecu NAME (--version V | --image FILE [--signature FILE])
         [--vehicle FILE] [--state DIR] [--fault SPEC]... [--tsx] [-- GATEWAY-FLASH-OPTIONS...]
  --ecu NAME        the ECU to flash (its name in the vehicle file)
  --version V       flash a TEST-signed image with software version V, made for the ECU (ecu-sim/make-image.ts)
  --image FILE      flash this image; signed by FILE.sig when present, else --signature, else the TEST key
  --vehicle FILE    vehicle definition (default ecu-sim/vehicles/small.json: 16 KiB regions, seconds on UML)
  --state DIR       keep the simulator's state here (default: a temporary directory, removed afterwards)
  --fault SPEC      passed to the simulator, e.g. ecm/silent:600 (repeatable)
  --tsx             run the TypeScript through tsx even when dist/ is built
Exit codes: the gateway's (0 done, 1 the ECU refused or failed, 2 bad arguments, 3 the ECU did not answer),
5 the ECU simulator did not start.`;

function fail(message, code = EXIT.usage) {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(code);
}

function parseOptions(argv) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true, // what follows `--` goes to the gateway's flash
      options: {
        ecu: { type: 'string' },
        version: { type: 'string' },
        image: { type: 'string' },
        signature: { type: 'string' },
        vehicle: { type: 'string', default: join(ROOT, 'ecu-sim/vehicles/small.json') },
        state: { type: 'string' },
        fault: { type: 'string', multiple: true, default: [] },
        tsx: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return fail(`${err.message}\n${USAGE}`);
  }
}

/** Node's arguments that run a program: its dist/ build when present (what ships), else the .ts through tsx. */
function programArgs(entry, useTsx) {
  const built = join(ROOT, 'dist', entry.replace(/\.ts$/, '.js'));
  if (!useTsx && existsSync(built)) return [built];
  return ['--import', 'tsx', join(ROOT, entry)];
}

function loadVehicle(file) {
  let definition;
  try {
    definition = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail(`cannot read the vehicle file ${file}: ${err.message}`);
  }
  if (!Array.isArray(definition?.ecus)) fail(`${file} is not a vehicle definition (no "ecus" array)`);
  return definition;
}

/** Re-runs this command inside scripts/with-vcan with enough vcan interfaces; never returns. */
function reRunWithVcan(iface) {
  const index = /^vcan(\d+)$/.exec(iface)?.[1];
  if (index === undefined || process.env.WITH_VCAN_MODE) {
    fail(`the CAN interface ${iface} does not exist${process.env.WITH_VCAN_MODE ? ' (even inside with-vcan)' : ''}`);
  }
  const child = spawn(
    join(ROOT, 'scripts/with-vcan'),
    ['--vcan', String(Number(index) + 1), '--', process.execPath, import.meta.filename, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

/** Runs a program to its end with our stdio; resolves its exit code. */
function runToEnd(args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/** Starts the simulator and resolves once it printed its ready line; rejects with the cause otherwise. */
function startSimulator(args) {
  const sim = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((done) => sim.on('exit', (code, signal) => done({ code, signal })));
  let lastError = '';
  createInterface({ input: sim.stderr }).on('line', (line) => {
    lastError = line;
    process.stderr.write(`ecu-sim: ${line}\n`);
  });
  const ready = new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(
      () => rejectReady(new Error(`the ECU simulator did not report ready within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
    createInterface({ input: sim.stdout }).on('line', (line) => {
      process.stderr.write(`ecu-sim: ${line}\n`);
      if (READY_LINE.test(line)) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      const how = signal ? `on ${signal}` : `with code ${code}`;
      rejectReady(new Error(`the ECU simulator exited ${how} before it was ready${lastError ? `: ${lastError}` : ''}`));
    });
  });
  const stop = async () => {
    if (sim.exitCode !== null || sim.signalCode !== null) return;
    sim.kill('SIGTERM');
    const timer = setTimeout(() => sim.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return { ready, stop, exited, isRunning: () => sim.exitCode === null && sim.signalCode === null };
}

async function main() {
  const { values: o, positionals: gatewayExtra } = parseOptions(process.argv.slice(2));
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!o.ecu) fail(`--ecu is required\n${USAGE}`);
  if (!o.version === !o.image) fail(`give either --version or --image\n${USAGE}`);
  const vehicleFile = resolve(o.vehicle);
  const vehicle = loadVehicle(vehicleFile);
  const ecu = vehicle.ecus.find((e) => e.name === o.ecu);
  if (!ecu) fail(`no ECU "${o.ecu}" in ${o.vehicle} (${vehicle.ecus.map((e) => e.name).join(', ')})`);
  const image = o.image && resolve(o.image);
  if (image && !existsSync(image)) fail(`no image file ${o.image}`);
  if (o.signature && !existsSync(o.signature)) fail(`no signature file ${o.signature}`);

  const iface = ecu.can?.interface ?? 'vcan0';
  if (!existsSync(`/sys/class/net/${iface}`)) return reRunWithVcan(iface);

  const work = mkdtempSync(join(tmpdir(), `${NAME}-`));
  const sim = { stop: async () => {} };
  const cleanUp = async () => {
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void cleanUp().then(() => process.exit(130)));
  try {
    // The image and how it is signed.
    let signing;
    let imageFile = image;
    if (o.version) {
      imageFile = join(work, `${o.ecu}-${o.version}.bin`);
      const made = await runToEnd([
        ...programArgs('ecu-sim/make-image.ts', o.tsx),
        ...['--vehicle', vehicleFile, '--ecu', o.ecu, '--version', o.version, '--out', imageFile, '--sign'],
      ]);
      if (made !== 0) {
        process.stderr.write(`${NAME}: could not make the ${o.ecu} ${o.version} image\n`);
        return EXIT.usage;
      }
      signing = ['--signature', `${imageFile}.sig`];
    } else if (o.signature) signing = ['--signature', resolve(o.signature)];
    else if (existsSync(`${imageFile}.sig`)) signing = ['--signature', `${imageFile}.sig`];
    else signing = ['--sign-key', resolve(dirname(vehicleFile), vehicle.simulation?.testSigningKeyFile ?? '')];

    // The simulator, ready by its own word.
    const simulator = startSimulator([
      ...programArgs('ecu-sim/cli.ts', o.tsx),
      ...['--vehicle', vehicleFile, '--state', o.state ? resolve(o.state) : join(work, 'state')],
      ...['--control', join(work, 'sim.sock')],
      ...o.fault.flatMap((f) => ['--fault', f]),
    ]);
    sim.stop = simulator.stop;
    try {
      await simulator.ready;
    } catch (err) {
      process.stderr.write(`${NAME}: ${err.message}\n`);
      return EXIT.simulator;
    }

    const code = await runToEnd([
      ...programArgs('vehicle-gateway/cli.ts', o.tsx),
      ...['flash', '--vehicle', vehicleFile, '--ecu', o.ecu, '--image', imageFile, ...signing, ...gatewayExtra],
    ]);
    if (!simulator.isRunning()) {
      process.stderr.write(`${NAME}: the ECU simulator stopped during the flash\n`);
    } else if (code === EXIT.unreachable) {
      process.stderr.write(`${NAME}: ECU ${o.ecu} did not answer on ${iface} (the simulator is running)\n`);
    }
    return code;
  } finally {
    await cleanUp();
  }
}

process.exitCode = await main();
