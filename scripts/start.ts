// npm start [-- --reset] [-- --vehicles N] ...: the one-command demo on embedded defaults. The backend and
// dashboard on PGlite and the in-process MQTT broker, a seeded world (users with tokens, a vulnerability, an
// authorised release) and a simulated fleet (ecu-sim + vehicle-gateway per vehicle), all in this process.
// Ctrl-C stops it; the state stays in the data directory and the next start continues from it.
import { Command } from 'commander';
import { addFlags } from '../runtime/cli-flags.ts';
import { stopOnSignals } from '../runtime/shutdown.ts';
import type { RunningDemo } from './demo/run-demo.ts';
import { START_FLAGS } from './start-flags.ts';

/** How long a stop may take before the process gives up waiting and exits with status 1. */
const STOP_TIMEOUT_MS = 10_000;

const program = addFlags(
  new Command('start').description(
    'the OTA platform demo: backend, dashboard and a simulated fleet on embedded defaults',
  ),
  START_FLAGS,
).action(
  async (o: {
    dataDir: string;
    reset?: boolean;
    vehicles: number;
    port: number;
    host: string;
    mqttPort: number;
    can: 'auto' | 'vcan' | 'memory';
    small?: boolean;
  }) => {
    const log = (line: string) => console.log(line);
    // Loaded here, so `npm start -- --help` answers without the backend, broker and database code.
    const { startDemo } = await import('./demo/run-demo.ts');
    // The stop handlers go in before the demo starts: it prints `ready:` from inside startDemo, and a
    // signal sent on seeing that line must find them (else Node's default action kills the process).
    const starting: Promise<RunningDemo> = startDemo({
      dataDir: o.dataDir,
      reset: o.reset ?? false,
      vehicles: o.vehicles,
      host: o.host,
      port: o.port,
      mqttPort: o.mqttPort,
      can: o.can,
      template: o.small ? 'small' : 'example',
      log,
    });
    stopOnSignals(
      async (signal) => {
        console.log(`${signal}: stopping gateways, simulators, delivery, broker, server and database...`);
        const started = Date.now();
        const demo = await starting;
        await demo.stop();
        console.log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s; state kept in ${o.dataDir}`);
      },
      { timeoutMs: STOP_TIMEOUT_MS, log: (line) => console.log(line) },
    );
    await starting;
  },
);

try {
  await program.parseAsync();
} catch (err) {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
