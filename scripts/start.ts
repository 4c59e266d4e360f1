// npm start [-- --reset] [-- --vehicles N] ...: the one-command demo on embedded defaults. The backend and
// dashboard on PGlite and the in-process MQTT broker, a seeded world (users with tokens, a vulnerability, an
// authorised release) and a simulated fleet (ecu-sim + vehicle-gateway per vehicle), all in this process.
// Ctrl-C stops it; the state stays in the data directory and the next start continues from it.
import { Command, InvalidArgumentError, Option } from 'commander';
import { stopOnSignals } from '../runtime/shutdown.ts';
import { startDemo, type RunningDemo } from './demo/run-demo.ts';

const int = (what: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}`);
  return n;
};

/** How long a stop may take before the process gives up waiting and exits with status 1. */
const STOP_TIMEOUT_MS = 10_000;

const program = new Command('start')
  .description('the OTA platform demo: backend, dashboard and a simulated fleet on embedded defaults')
  .option('--data-dir <dir>', 'where the demo keeps its state', '.data/demo')
  .option('--reset', 'delete the data directory first and seed again', false)
  .option('--vehicles <n>', 'how many simulated vehicles', int('--vehicles', 1, 20), 4)
  .option(
    '--port <port>',
    'HTTP port (a free one when taken)',
    int('--port', 0, 65535),
    Number(process.env.PORT ?? 8080),
  )
  .option('--host <address>', 'HTTP listen address', '127.0.0.1')
  .option(
    '--mqtt-port <port>',
    'port of the in-process MQTT broker (a free one when taken)',
    int('--mqtt-port', 0, 65535),
    Number(process.env.MQTT_PORT ?? 1883),
  )
  .addOption(
    new Option('--can <mode>', 'auto: vcan<i> per vehicle when SocketCAN has them, else an in-memory bus')
      .choices(['auto', 'vcan', 'memory'])
      .default('auto'),
  )
  .option('--small', 'ECUs with 16 KiB flash (ecu-sim/vehicles/small.json) instead of 256 KiB', false)
  .action(
    async (o: {
      dataDir: string;
      reset: boolean;
      vehicles: number;
      port: number;
      host: string;
      mqttPort: number;
      can: 'auto' | 'vcan' | 'memory';
      small: boolean;
    }) => {
      const log = (line: string) => console.log(line);
      // The stop handlers go in before the demo starts: it prints `ready:` from inside startDemo, and a
      // signal sent on seeing that line must find them (else Node's default action kills the process).
      const starting: Promise<RunningDemo> = startDemo({
        dataDir: o.dataDir,
        reset: o.reset,
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
