// Every flag and environment variable of `ota-verify-audit`: its --help and the README's reference come
// from here, and each value is checked before it reads anything (runtime/cli-flags.ts).
import { flagSchemas, type Flag } from '../../runtime/cli-flags.ts';
import { pickEnv } from '../../runtime/env-config.ts';
import { BACKEND_ENV } from '../config.ts';
import { parseExpectedHead } from './expected-head.ts';

/** The backend's database and audit anchoring files it checks. */
export const VERIFY_AUDIT_ENV = pickEnv(BACKEND_ENV, [
  'DATABASE_URL',
  'DATA_DIR',
  'KEYS_DIR',
  'AUDIT_KEY_FILE',
  'AUDIT_CHECKPOINT_FILE',
]);

export const VERIFY_AUDIT_FLAGS: readonly Flag[] = [
  {
    flags: '--checkpoints <file>',
    description: 'the checkpoint file',
    schema: flagSchemas.text(),
    shownDefault: 'AUDIT_CHECKPOINT_FILE, else DATA_DIR/audit/checkpoints.jsonl',
  },
  {
    flags: '--public-key <file|hex>',
    description: 'the checkpoint public key, a .pub file or 64 hex digits',
    schema: flagSchemas.text(),
    shownDefault: 'beside the key',
  },
  {
    flags: '--expect-head <seq:hash>',
    description: 'a head printed earlier (e.g. by an evidence export)',
    schema: (z) =>
      z.string().transform((text, ctx) => {
        try {
          return parseExpectedHead(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    repeatable: true,
  },
];
