// Every flag of `ota-backend`, per command (its environment is backend/config.ts): its --help and the
// README's reference come from here, and each value is checked before the command runs.
import { flagSchemas, type Flag } from '../runtime/cli-flags.ts';

export const BACKEND_FLAGS = {
  serve: [{ flags: '--no-delivery', description: 'serve the API only, without MQTT delivery' }],
  migrate: [],
  'create-admin-token': [
    { flags: '--name <name>', description: 'the admin user name', schema: flagSchemas.text(), required: true },
  ],
} satisfies Record<string, readonly Flag[]>;
