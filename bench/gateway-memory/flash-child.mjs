// The process whose memory bench/startup.bench.ts samples: the gateway's `flash` command code (runFlashCommand,
// what `ota-gateway flash` runs) loaded from dist/ (argv[2] = "built") or from the sources through tsx
// ("tsx"), then one simulated ECU on the in-memory CAN bus in this same process, then a flash of it. It prints
// a line at each phase so the parent, which reads VmRSS from /proc from outside, knows which is which.
// argv: built|tsx VEHICLE ECU IMAGE SIGNATURE STATE-DIR
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const [mode, vehicleFile, ecuName, image, signature, stateDir] = process.argv.slice(2);
const load = (path) =>
  import(pathToFileURL(mode === 'built' ? join(ROOT, 'dist', `${path}.js`) : join(ROOT, `${path}.ts`)).href);
const phase = (name) => new Promise((done) => process.stdout.write(`${name}\n`, () => setTimeout(done, 1000)));

const { runFlashCommand } = await load('vehicle-gateway/cli/flash-command');
const { MemoryCanBus } = await load('uds/index');
await phase('idle'); // the gateway's flash code loaded, nothing on the bus yet

const { startVehicle } = await load('ecu-sim/vehicle-runner');
const { loadVehicleFile } = await load('ecu-sim/vehicle/load-vehicle');
const { definition, baseDir } = loadVehicleFile(vehicleFile);
const bus = new MemoryCanBus();
const vehicle = await startVehicle({
  definition: { ...definition, ecus: definition.ecus.filter((e) => e.name === ecuName) },
  baseDir,
  stateDir,
  transportFactory: (_iface, ecu) => bus.attach(`ecu/${ecu.name}`),
});
await phase('simulator'); // plus the simulated ECU: the baseline of the flash

process.stdout.write('flashing\n');
const outcome = await runFlashCommand(
  { vehicle: vehicleFile, ecu: ecuName, image, signature, mode: 'auto', confirm: true },
  async () => bus.attach('gateway'),
);
process.stdout.write(`flashed ${outcome.status} ${outcome.bytesSent}\n`);
await vehicle.stop();
