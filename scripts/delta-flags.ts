// Every flag of `ota-delta`, per command: its --help and the README's reference come from here, and each
// value is checked before the command runs (runtime/cli-flags.ts). It reads no environment variables.
import { flagSchemas, type Flag } from '../runtime/cli-flags.ts';

export const DELTA_FLAGS = {
  encode: [
    {
      flags: '--method <method>',
      description: 'auto (the smaller), bsdiff-brotli (delta) or full-brotli (full image)',
      schema: flagSchemas.choice(['auto', 'bsdiff-brotli', 'full-brotli'], 'auto'),
      shownDefault: 'auto',
    },
    {
      flags: '--quality <n>',
      description: 'brotli quality 0..11',
      schema: flagSchemas.count('--quality', 0, 11, 11),
      shownDefault: '11',
    },
    { flags: '--quiet', description: 'no progress on stderr' },
  ],
  decode: [
    {
      flags: '--max-result <bytes>',
      description: 'refuse packages declaring a larger result',
      schema: flagSchemas.count('--max-result', 0, 0xffff_ffff),
      shownDefault: 'no limit',
    },
  ],
  info: [{ flags: '--json', description: 'print JSON' }],
} satisfies Record<string, readonly Flag[]>;
