// Every flag of `ota-fleet-sim` (and MQTT_URL, the one variable it reads, as --mqtt's default): its --help
// and the README's reference come from here; each value is checked before the fleet starts.
import { flagSchemas, type Flag, type Zod } from '../runtime/cli-flags.ts';

const fraction = (what: string) => (z: Zod) =>
  z.coerce
    .number({ message: `${what} must be a number` })
    .min(0, `${what} must be from 0 to 1`)
    .max(1, `${what} must be from 0 to 1`)
    .default(0);

export const FLEET_SIM_FLAGS: readonly Flag[] = [
  {
    flags: '--vehicles <n>',
    description: 'how many vehicles',
    schema: flagSchemas.count('--vehicles', 1, 1_000_000),
    required: true,
  },
  {
    flags: '--fail-rate <x>',
    description: 'probability that an update fails (0..1)',
    schema: fraction('--fail-rate'),
    shownDefault: '0',
  },
  {
    flags: '--mqtt <url>',
    description: 'broker URL',
    schema: flagSchemas.url(['mqtt', 'mqtts', 'ws', 'wss'], 'mqtt://127.0.0.1:1883'),
    shownDefault: 'mqtt://127.0.0.1:1883',
    env: 'MQTT_URL',
  },
  {
    flags: '--backend <url>',
    description: 'backend base URL, to fetch the trusted roots from /tuf/',
    schema: flagSchemas.url(['http', 'https'], 'http://127.0.0.1:8080'),
    shownDefault: 'http://127.0.0.1:8080',
  },
  {
    flags: '--image-root <file>',
    description: 'trusted Image repository root (instead of fetching it)',
    schema: flagSchemas.text(),
  },
  {
    flags: '--director-root <file>',
    description: 'trusted Director root (instead of fetching it)',
    schema: flagSchemas.text(),
  },
  {
    flags: '--vin-prefix <p>',
    description: 'first characters of every VIN',
    schema: flagSchemas.text('SMFLEET00'),
    shownDefault: 'SMFLEET00',
  },
  {
    flags: '--hardware-id <id>',
    description: "hardware id of each vehicle's one ECU",
    schema: flagSchemas.text('HW-SIM-ECU'),
    shownDefault: 'HW-SIM-ECU',
  },
  {
    flags: '--ecu-version <v>',
    description: 'version the ECU runs',
    schema: flagSchemas.text('1.0.0'),
    shownDefault: '1.0.0',
  },
  {
    flags: '--image-sha256 <sha>',
    description: 'sha256 of the image the ECU runs',
    schema: (z) =>
      z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
        .default('0'.repeat(64)),
    shownDefault: '0'.repeat(64),
  },
  {
    flags: '--keys-out <file>',
    description: 'write [{vin, publicKey}] of the simulated gateways and exit',
    schema: flagSchemas.text(),
  },
];
