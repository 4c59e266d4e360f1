import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFlags, flagSchemas, flagsMarkdown, type Flag } from './cli-flags.ts';

const FLAGS: readonly Flag[] = [
  { flags: '--vehicles <n>', description: 'how many', schema: flagSchemas.count('--vehicles', 1, 10), required: true },
  {
    flags: '--mqtt <url>',
    description: 'broker',
    schema: flagSchemas.url(['mqtt'], 'mqtt://h:1883'),
    shownDefault: 'mqtt://h:1883',
    env: 'TEST_FLAGS_MQTT',
  },
  { flags: '--fault <spec>', description: 'a fault', schema: flagSchemas.text(), repeatable: true },
  { flags: '--json', description: 'print JSON' },
];

/** Runs a command with FLAGS on `args`; what its action received, or the error it stopped with. */
async function run(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let received: Record<string, unknown> | undefined;
  let stderr = '';
  const command = new Command('t')
    .exitOverride()
    .configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} })
    .action((o: Record<string, unknown>) => void (received = o));
  addFlags(command, FLAGS);
  try {
    await command.parseAsync(args, { from: 'user' });
    return { received, stderr, exitCode: 0 };
  } catch (err) {
    return { received, stderr, exitCode: (err as { exitCode: number }).exitCode };
  } finally {
    process.env = saved;
  }
}

describe('addFlags', () => {
  it('hands the action parsed values, with the defaults the schemas apply', async () => {
    expect((await run(['--vehicles', '3'])).received).toEqual({ vehicles: 3, mqtt: 'mqtt://h:1883', fault: [] });
    const r = await run(['--vehicles', '3', '--fault', 'a', '--fault', 'b', '--json', '--mqtt', 'mqtt://x']);
    expect(r.received).toEqual({ vehicles: 3, mqtt: 'mqtt://x', fault: ['a', 'b'], json: true });
  });

  it('takes a value from the environment variable a flag names', async () => {
    const r = await run(['--vehicles', '1'], { TEST_FLAGS_MQTT: 'mqtt://env' });
    expect(r.received).toMatchObject({ mqtt: 'mqtt://env' });
  });

  it('stops with status 2 naming the wrong flag or variable, before the action', async () => {
    const flag = await run(['--vehicles', '11']);
    expect(flag.received).toBeUndefined();
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toBe('error: --vehicles="11": --vehicles must be from 1 to 10\n');
    const env = await run(['--vehicles', '1'], { TEST_FLAGS_MQTT: 'http://x' });
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toBe('error: TEST_FLAGS_MQTT="http://x": must be a mqtt:// URL\n');
  });

  it('lists each flag with its default and variable in --help, and as a README table', () => {
    const help = addFlags(new Command('t'), FLAGS).helpInformation();
    expect(help).toMatch(/--mqtt <url>\s+broker \(default: mqtt:\/\/h:1883\) \(env: TEST_FLAGS_MQTT\)/);
    expect(flagsMarkdown(FLAGS).split('\n')).toEqual([
      '| flag | default | meaning |',
      '| --- | --- | --- |',
      '| `--vehicles <n>` | required | how many |',
      '| `--mqtt <url>` | `mqtt://h:1883` | broker (env `TEST_FLAGS_MQTT`) |',
      '| `--fault <spec>` | (unset) | a fault (repeatable) |',
      '| `--json` | (unset) | print JSON |',
    ]);
  });
});
