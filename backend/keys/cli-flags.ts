// Every flag and environment variable of `ota-keys`, per command: its --help and the README's reference
// come from here, and each value is checked before the command runs (runtime/cli-flags.ts).
import { flagSchemas, type Flag } from '../../runtime/cli-flags.ts';
import { pickEnv } from '../../runtime/env-config.ts';
import { BACKEND_ENV } from '../config.ts';
import { REPOSITORIES, TUF_ROLES } from './key-set.ts';
import { UDS_KEY_ALGORITHMS, UDS_ROLES } from './uds-certificate-kinds.ts';

/** What it reads of the backend's environment: where the keys are, and the database `--publish` writes. */
export const KEYS_ENV = pickEnv(BACKEND_ENV, ['KEYS_DIR', 'DATA_DIR', 'DATABASE_URL']);

const keysDir: Flag = {
  flags: '--keys-dir <dir>',
  description: 'keys directory',
  schema: flagSchemas.text(),
  shownDefault: 'KEYS_DIR, else DATA_DIR/keys',
  env: 'KEYS_DIR',
};
const caDir: Flag = {
  flags: '--ca-dir <dir>',
  description: 'directory holding ca.crt and ca.key',
  schema: flagSchemas.text(),
  required: true,
};
const out = (description: string): Flag => ({
  flags: '--out <dir>',
  description,
  schema: flagSchemas.text(),
  required: true,
});
const list = (flags: string, description: string): Flag => ({
  flags,
  description,
  schema: flagSchemas.text(),
  repeatable: true,
});

const days = (fallback: number): Flag => ({
  flags: '--days <n>',
  description: 'validity in days',
  schema: flagSchemas.count('--days', 1, 36_500, fallback),
  shownDefault: String(fallback),
});
const udsAlgorithm: Flag = {
  flags: '--algorithm <alg>',
  description: 'ed25519 or p256',
  schema: (z) =>
    z.enum(UDS_KEY_ALGORITHMS, { message: `must be one of ${UDS_KEY_ALGORITHMS.join(', ')}` }).default('ed25519'),
  shownDefault: 'ed25519',
};

export const KEYS_FLAGS = {
  'init-keys': [keysDir],
  'rotate-key': [
    {
      flags: '--repository <name>',
      description: 'image or director',
      schema: (z) => z.enum(REPOSITORIES, { message: `must be one of ${REPOSITORIES.join(', ')}` }),
      required: true,
    },
    {
      flags: '--role <role>',
      description: 'root, targets, snapshot or timestamp',
      schema: (z) => z.enum(TUF_ROLES, { message: `must be one of ${TUF_ROLES.join(', ')}` }),
      required: true,
    },
    keysDir,
    {
      flags: '--publish',
      description: 'publish the new root (and re-signed metadata) now, to DATABASE_URL or the embedded database',
    },
  ],
  'init-ca': [{ flags: '--dir <dir>', description: 'where to write it', schema: flagSchemas.text(), required: true }],
  'issue-vehicle-cert': [
    caDir,
    { flags: '--vin <vin>', description: 'the vehicle', schema: flagSchemas.text(), required: true },
    out('where to write VIN.crt and VIN.key'),
    days(825),
  ],
  'issue-client-cert': [
    caDir,
    { flags: '--name <cn>', description: 'identity (certificate CN)', schema: flagSchemas.text(), required: true },
    out('output directory'),
  ],
  'issue-server-cert': [
    caDir,
    out('output directory (server.crt, server.key)'),
    list('--dns <name>', 'DNS name'),
    list('--ip <addr>', 'IP address'),
  ],
  'init-uds-ca': [
    { flags: '--dir <dir>', description: 'where to write it', schema: flagSchemas.text(), required: true },
    udsAlgorithm,
    days(3650),
  ],
  'issue-uds-cert': [
    { ...caDir, description: 'directory holding uds-ca.crt and uds-ca.key' },
    {
      flags: '--name <cn>',
      description: 'identity (certificate CN), also the file name',
      schema: flagSchemas.text(),
      required: true,
    },
    {
      flags: '--role <role>',
      description: UDS_ROLES.join(', '),
      schema: (z) => z.enum(UDS_ROLES, { message: `must be one of ${UDS_ROLES.join(', ')}` }),
      required: true,
    },
    out('where to write NAME.crt and NAME.key'),
    udsAlgorithm,
    days(825),
  ],
} satisfies Record<string, readonly Flag[]>;
