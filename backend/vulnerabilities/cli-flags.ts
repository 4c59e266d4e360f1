// Every flag and environment variable of `ota-advisories`: its --help and the README's reference come from
// here, and each value is checked before the command runs (runtime/cli-flags.ts).
import { flagSchemas, type Flag } from '../../runtime/cli-flags.ts';
import { pickEnv } from '../../runtime/env-config.ts';
import { BACKEND_ENV } from '../config.ts';

/** The backend's database it writes to. */
export const ADVISORIES_ENV = pickEnv(BACKEND_ENV, ['DATABASE_URL', 'DATA_DIR']);

const as = (description: string): Flag => ({
  flags: '--as <user>',
  description,
  schema: flagSchemas.text(),
  required: true,
});

export const ADVISORIES_FLAGS = {
  import: [as('the user recorded as importing')],
  match: [as('the user recorded as running it')],
} satisfies Record<string, readonly Flag[]>;
