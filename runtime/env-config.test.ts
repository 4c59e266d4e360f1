import { describe, expect, it } from 'vitest';
import type { Zod } from './cli-flags.ts';
import { envFields, envHelp, envMarkdown, EnvConfigError, parseEnv } from './env-config.ts';

const spec = {
  PORT: { schema: envFields.port(8080), description: 'HTTP port', shownDefault: '8080' },
  BROKER: { schema: envFields.url(['mqtt']), description: 'broker' },
  NAME: { schema: (z: Zod) => z.string().default('x'), description: 'a name', shownDefault: 'x' },
};

describe('parseEnv', () => {
  it('applies defaults and coerces', async () => {
    expect(await parseEnv(spec, { PORT: '9000' })).toEqual({ PORT: 9000, BROKER: undefined, NAME: 'x' });
    expect(await parseEnv(spec, { PORT: '', NAME: '' })).toEqual({ PORT: 8080, BROKER: undefined, NAME: 'x' });
  });

  it('names every wrong variable with its value and what it must be', async () => {
    const attempt = parseEnv(spec, { PORT: '70000', BROKER: 'http://h' });
    await expect(attempt).rejects.toThrow(EnvConfigError);
    await expect(attempt).rejects.toThrow(
      'invalid environment: PORT="70000": must be from 0 to 65535, BROKER="http://h": must be a mqtt:// URL',
    );
    await expect(parseEnv(spec, { BROKER: 'not a url' })).rejects.toThrow('BROKER="not a url": must be a URL');
  });
});

describe('help and README rendering', () => {
  it('lists each variable with its default', () => {
    expect(envHelp(spec)).toContain('  PORT    HTTP port (default: 8080)');
    expect(envMarkdown(spec).split('\n')).toEqual([
      '| variable | default | meaning |',
      '| --- | --- | --- |',
      '| `PORT` | `8080` | HTTP port |',
      '| `BROKER` | (unset) | broker |',
      '| `NAME` | `x` | a name |',
    ]);
  });
});
