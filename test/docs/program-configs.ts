// Every program's configuration schema, as the README's configuration reference lists them.
import { VERIFY_AUDIT_ENV, VERIFY_AUDIT_FLAGS } from '../../backend/audit/verify-cli-flags.ts';
import { BACKEND_FLAGS } from '../../backend/cli-flags.ts';
import { BACKEND_ENV } from '../../backend/config.ts';
import { FLEET_SIM_FLAGS } from '../../fleet-sim/cli-flags.ts';
import { KEYS_ENV, KEYS_FLAGS } from '../../backend/keys/cli-flags.ts';
import { ADVISORIES_ENV, ADVISORIES_FLAGS } from '../../backend/vulnerabilities/cli-flags.ts';
import { ECU_SIM_FLAGS } from '../../ecu-sim/cli-flags.ts';
import type { ProgramConfig } from '../../runtime/config-reference.ts';
import { DELTA_FLAGS } from '../../scripts/delta-flags.ts';
import { START_FLAGS } from '../../scripts/start-flags.ts';
import { GATEWAY_FLAGS } from '../../vehicle-gateway/cli/flags.ts';

/** Keyed by the name of the README block (`<!-- config:NAME:start -->`). */
export const PROGRAM_CONFIGS: Record<string, ProgramConfig> = {
  start: { bin: 'npm start --', entry: 'scripts/start.ts', commands: { '': START_FLAGS } },
  backend: { bin: 'ota-backend', entry: 'backend/main.ts', env: BACKEND_ENV, commands: BACKEND_FLAGS },
  gateway: { bin: 'ota-gateway', entry: 'vehicle-gateway/cli.ts', commands: GATEWAY_FLAGS },
  'ecu-sim': { bin: 'ota-ecu-sim', entry: 'ecu-sim/cli.ts', commands: { '': ECU_SIM_FLAGS } },
  'fleet-sim': { bin: 'ota-fleet-sim', entry: 'fleet-sim/cli.ts', commands: { '': FLEET_SIM_FLAGS } },
  delta: { bin: 'ota-delta', entry: 'scripts/delta.ts', commands: DELTA_FLAGS },
  keys: { bin: 'ota-keys', entry: 'backend/keys/cli.ts', env: KEYS_ENV, commands: KEYS_FLAGS },
  advisories: {
    bin: 'ota-advisories',
    entry: 'backend/vulnerabilities/cli.ts',
    env: ADVISORIES_ENV,
    commands: ADVISORIES_FLAGS,
  },
  'verify-audit': {
    bin: 'ota-verify-audit',
    entry: 'backend/audit/verify-cli.ts',
    env: VERIFY_AUDIT_ENV,
    commands: { '': VERIFY_AUDIT_FLAGS },
  },
};
