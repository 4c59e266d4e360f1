// Every flag of `ota-ecu-sim`: its --help and the README's reference come from here, and each value is
// checked before the simulator starts (runtime/cli-flags.ts). It reads no environment variables.
import { flagSchemas, type Flag } from '../runtime/cli-flags.ts';

export const ECU_SIM_FLAGS: readonly Flag[] = [
  {
    flags: '--vehicle <file>',
    description: 'vehicle definition (JSON), e.g. ecu-sim/vehicles/example.json',
    schema: flagSchemas.text(),
    required: true,
  },
  {
    flags: '--state <dir>',
    description: 'state directory: flash banks and counters per ECU (created on first start)',
    schema: flagSchemas.text(),
    required: true,
  },
  {
    flags: '--can <iface>',
    description: 'run every ECU on this interface instead of the ones the file names',
    schema: flagSchemas.interfaceName(),
    shownDefault: "the vehicle file's",
  },
  {
    flags: '--fault <spec>',
    description: 'inject a fault, e.g. ecm/silent:20 or nrc:0x72@transferData',
    schema: flagSchemas.text(),
    repeatable: true,
  },
  {
    flags: '--control <socket>',
    description: 'Unix socket for run-time control (line-delimited JSON)',
    schema: flagSchemas.text(),
  },
];
