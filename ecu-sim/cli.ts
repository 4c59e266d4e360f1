// npm run ecu-sim -- --vehicle FILE --state DIR [--can IFACE] [--fault SPEC]... [--control SOCKET]
// Runs every ECU of a vehicle definition on SocketCAN until SIGINT/SIGTERM.
import { Command } from 'commander';
import { addFlags } from '../runtime/cli-flags.ts';
import { stopOnSignals } from '../runtime/shutdown.ts';
import { ECU_SIM_FLAGS } from './cli-flags.ts';
import type { ControlServer } from './control/control-server.ts';

const program = addFlags(
  new Command().name('ecu-sim').description('Virtual ECUs with a flash bootloader (UDS over ISO-TP) on SocketCAN'),
  ECU_SIM_FLAGS,
).action(async (opts: { vehicle: string; state: string; can?: string; fault: string[]; control?: string }) => {
  // Loaded when the command runs, so `--help` answers at once.
  const { openSocketCan } = await import('@ota/uds');
  const { startControlServer } = await import('./control/control-server.ts');
  const { describeAddressing } = await import('./ecu/ecu-addressing.ts');
  const { parseFaultSpec } = await import('./faults/fault-spec.ts');
  const { startVehicle } = await import('./vehicle-runner.ts');
  const { loadVehicleFile } = await import('./vehicle/load-vehicle.ts');
  const { definition, baseDir } = loadVehicleFile(opts.vehicle);
  for (const spec of opts.fault) parseFaultSpec(spec); // bad specs fail before anything starts
  const vehicle = await startVehicle({
    definition,
    baseDir,
    stateDir: opts.state,
    transportFactory: (iface) => openSocketCan(opts.can ?? iface),
    faults: opts.fault,
    onError: (ecu, err) => console.error(`${ecu}: ${err.message}`),
  });
  console.log(`vehicle ${definition.vin}, state in ${opts.state}`);
  for (const ecu of vehicle.ecus) {
    const s = ecu.status();
    const def = {
      ...ecu.definition,
      can: { ...ecu.definition.can, interface: opts.can ?? ecu.definition.can.interface },
    };
    const running = s.mode === 'application' ? `application ${s.softwareVersion}` : 'bootloader (no valid application)';
    console.log(`  ${ecu.name.padEnd(6)} ${def.flash.banks}-bank  ${describeAddressing(def)}  ${running}`);
  }
  let control: ControlServer | undefined;
  if (opts.control) {
    control = await startControlServer(opts.control, vehicle);
    console.log(`control channel on ${opts.control}`);
  }
  for (const f of opts.fault) console.log(`fault: ${f}`);
  stopOnSignals(async () => {
    await control?.close();
    await vehicle.stop();
  });
});

program.parseAsync().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
