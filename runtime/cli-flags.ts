// A command's flags as data, each with a zod schema, a description and the default shown to people:
// addFlags() puts them on a commander command (so --help lists them with their defaults and environment
// variables), and the command's preAction hook validates every value, from the command line or the
// environment, stopping with an error that names the flag or variable. flagsMarkdown() renders the same
// list as the README's table (test/docs/config-reference.test.ts compares them). Schemas are built when a
// command runs, not when the program loads, so `--help` answers without loading zod (start-up on a TCU).
import { Option, type Command } from 'commander';
import type { z as Z, ZodType } from 'zod';

/** zod's `z`, as a flag's schema builder receives it. */
export type Zod = typeof Z;

export interface Flag {
  /** commander syntax: `--vehicles <n>`, `--json`, `--no-confirm`. */
  readonly flags: string;
  readonly description: string;
  /** The value's schema (which applies the default); switches have none. Given zod's `z`. */
  readonly schema?: (z: Zod) => ZodType;
  /** How the default reads in --help and the README (the schema applies it). */
  readonly shownDefault?: string;
  readonly required?: boolean;
  /** Given several times, each value checked by the schema: the option's value is the list. */
  readonly repeatable?: boolean;
  /** The environment variable that gives the value when the flag is absent. */
  readonly env?: string;
}

/** The commander option of `flag`; its value stays the text given until the command's hook checks it. */
function optionOf(flag: Flag): Option {
  const description = flag.shownDefault ? `${flag.description} (default: ${flag.shownDefault})` : flag.description;
  const option = new Option(flag.flags, description);
  if (flag.required) option.makeOptionMandatory();
  if (flag.repeatable)
    option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  if (flag.env) option.env(flag.env);
  return option;
}

/** Adds `flags` to `command` and checks their values before its action runs. */
export function addFlags(command: Command, flags: readonly Flag[]): Command {
  for (const flag of flags) command.addOption(optionOf(flag));
  return command.hook('preAction', async (_hooked, actionCommand) => {
    if (actionCommand !== command) return;
    const problem = await checkFlags(command, flags);
    if (problem) command.error(`error: ${problem}`, { exitCode: 2, code: 'ota.invalidFlag' });
  });
}

/** Replaces each flag's text with its parsed value; returns the first problem, naming the flag or variable. */
async function checkFlags(command: Command, flags: readonly Flag[]): Promise<string | undefined> {
  const { z } = await import('zod');
  for (const flag of flags) {
    if (!flag.schema) continue;
    const option = new Option(flag.flags);
    const key = option.attributeName();
    const raw: unknown = command.getOptionValue(key);
    const given = raw === '' ? undefined : raw;
    const schema = flag.schema(z);
    const values = flag.repeatable ? ((given as string[] | undefined) ?? []) : [given];
    const parsed: unknown[] = [];
    for (const value of values) {
      const result = schema.safeParse(value);
      if (!result.success) {
        const source = command.getOptionValueSource(key) === 'env' ? `${flag.env}` : option.long;
        return `${source}=${JSON.stringify(value ?? '')}: ${result.error.issues.map((i) => i.message).join('; ')}`;
      }
      parsed.push(result.data);
    }
    command.setOptionValueWithSource(
      key,
      flag.repeatable ? parsed : parsed[0],
      command.getOptionValueSource(key) ?? 'default',
    );
  }
  return undefined;
}

/** The flags as a Markdown table: the README's reference of one command. */
export function flagsMarkdown(flags: readonly Flag[]): string {
  const rows = flags.map((f) => {
    const shown = f.required ? 'required' : f.shownDefault ? `\`${f.shownDefault}\`` : '(unset)';
    const extra = [f.repeatable ? 'repeatable' : '', f.env ? `env \`${f.env}\`` : ''].filter(Boolean).join(', ');
    return `| \`${f.flags}\` | ${shown} | ${f.description}${extra ? ` (${extra})` : ''} |`;
  });
  return ['| flag | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Shared flag schemas (the same rules as the environment's, runtime/env-config.ts). */
export const flagSchemas = {
  count: (what: string, min: number, max: number, fallback?: number) => (z: Zod) => {
    const n = z.coerce
      .number({ message: `${what} must be a number` })
      .int(`${what} must be a whole number`)
      .min(min, `${what} must be from ${min} to ${max}`)
      .max(max, `${what} must be from ${min} to ${max}`);
    return fallback === undefined ? n.optional() : n.default(fallback);
  },
  text: (fallback?: string) => (z: Zod) =>
    fallback === undefined ? z.string().min(1).optional() : z.string().min(1).default(fallback),
  url: (protocols: readonly string[], fallback?: string) => (z: Zod) => {
    const url = z
      .string()
      .refine((s) => URL.canParse(s), 'must be a URL')
      .refine(
        (s) => !URL.canParse(s) || protocols.includes(new URL(s).protocol.replace(/:$/, '')),
        `must be a ${protocols.map((p) => `${p}://`).join(' or ')} URL`,
      );
    return fallback === undefined ? url.optional() : url.default(fallback);
  },
  choice:
    <T extends string>(choices: readonly [T, ...T[]], fallback: T) =>
    (z: Zod) =>
      z.enum(choices, { message: `must be one of ${choices.join(', ')}` }).default(fallback),
  interfaceName: () => (z: Zod) =>
    z
      .string()
      .regex(/^[\w.-]{1,15}$/, 'must be a network interface name (1-15 letters, digits, ".", "_" or "-")')
      .optional(),
};
