// Every flag of `npm start` (and PORT and MQTT_PORT, the variables it reads, as their flags' defaults): its
// --help and the README's reference come from here; each value is checked before the demo starts.
import { flagSchemas, type Flag } from '../runtime/cli-flags.ts';

export const START_FLAGS: readonly Flag[] = [
  {
    flags: '--data-dir <dir>',
    description: 'where the demo keeps its state',
    schema: flagSchemas.text('.data/demo'),
    shownDefault: '.data/demo',
  },
  { flags: '--reset', description: 'delete the data directory first and seed again' },
  {
    flags: '--vehicles <n>',
    description: 'how many simulated vehicles',
    schema: flagSchemas.count('--vehicles', 1, 20, 4),
    shownDefault: '4',
  },
  {
    flags: '--port <port>',
    description: 'HTTP port (a free one when taken)',
    schema: flagSchemas.count('--port', 0, 65535, 8080),
    shownDefault: '8080',
    env: 'PORT',
  },
  {
    flags: '--host <address>',
    description: 'HTTP listen address',
    schema: flagSchemas.text('127.0.0.1'),
    shownDefault: '127.0.0.1',
  },
  {
    flags: '--mqtt-port <port>',
    description: 'port of the in-process MQTT broker (a free one when taken)',
    schema: flagSchemas.count('--mqtt-port', 0, 65535, 1883),
    shownDefault: '1883',
    env: 'MQTT_PORT',
  },
  {
    flags: '--can <mode>',
    description: 'auto: vcan<i> per vehicle when SocketCAN has them, else an in-memory bus; vcan; memory',
    schema: flagSchemas.choice(['auto', 'vcan', 'memory'], 'auto'),
    shownDefault: 'auto',
  },
  { flags: '--small', description: 'ECUs with 16 KiB flash (ecu-sim/vehicles/small.json) instead of 256 KiB' },
];
