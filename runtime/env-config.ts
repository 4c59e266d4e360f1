// A program's environment variables as one zod schema per variable, with a description and the default
// shown to people: validated once at start (an error names each bad variable), listed in --help, and
// rendered as the README's configuration table (a test compares the two). Like the flags' schemas
// (runtime/cli-flags.ts), a variable's schema is built only when the environment is checked, so --help
// renders from plain data without loading zod.
import type { Command } from 'commander';
import type { ZodType } from 'zod';
import type { Zod } from './cli-flags.ts';

export interface EnvVar<T> {
  /** The value's schema (which applies the default); given zod's `z`. */
  readonly schema: (z: Zod) => ZodType<T>;
  readonly description: string;
  /** How the default reads in --help and the README (the schema applies it). */
  readonly shownDefault?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any variable type: the record's values differ
export type EnvSpec = Record<string, EnvVar<any>>;
export type EnvConfig<S extends EnvSpec> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export class EnvConfigError extends Error {
  override readonly name = 'EnvConfigError';
}

/** Parses every variable of `spec` from `env`; throws one error naming each variable that is wrong. */
export async function parseEnv<S extends EnvSpec>(spec: S, env: NodeJS.ProcessEnv): Promise<EnvConfig<S>> {
  const { z } = await import('zod');
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(spec)) {
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = variable.schema(z).safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`${name}=${JSON.stringify(raw ?? '')}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length) throw new EnvConfigError(`invalid environment: ${problems.join(', ')}`);
  return values as EnvConfig<S>;
}

/** The variables of `spec` named in `names`: a program that reads some of another's. */
export function pickEnv<S extends EnvSpec, K extends keyof S & string>(spec: S, names: readonly K[]): Pick<S, K> {
  return Object.fromEntries(names.map((name) => [name, spec[name]])) as Pick<S, K>;
}

/** Lists `spec` in `command`'s --help and checks the environment against it before any action runs. */
export function addEnv(command: Command, spec: EnvSpec): Command {
  return command
    .addHelpText('after', envHelp(spec))
    .hook('preAction', async () => void (await parseEnv(spec, process.env)));
}

/** The variables for --help: name, default and meaning, one per line. */
export function envHelp(spec: EnvSpec): string {
  const width = Math.max(...Object.keys(spec).map((n) => n.length));
  const lines = Object.entries(spec).map(
    ([name, v]) => `  ${name.padEnd(width)}  ${v.description}${v.shownDefault ? ` (default: ${v.shownDefault})` : ''}`,
  );
  return `\nEnvironment:\n${lines.join('\n')}\n`;
}

/** The variables as a Markdown table, the README's configuration reference. */
export function envMarkdown(spec: EnvSpec): string {
  const rows = Object.entries(spec).map(
    ([name, v]) => `| \`${name}\` | ${v.shownDefault ? `\`${v.shownDefault}\`` : '(unset)'} | ${v.description} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Shared field schemas. */
export const envFields = {
  port: (fallback: number) => (z: Zod) =>
    z.coerce
      .number({ message: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be from 0 to 65535')
      .max(65535, 'must be from 0 to 65535')
      .default(fallback),
  url: (protocols: readonly string[]) => (z: Zod) =>
    z
      .string()
      .refine((s) => URL.canParse(s), 'must be a URL')
      .refine(
        (s) => !URL.canParse(s) || protocols.includes(new URL(s).protocol.replace(/:$/, '')),
        `must be a ${protocols.map((p) => `${p}://`).join(' or ')} URL`,
      )
      .optional(),
  path: () => (z: Zod) => z.string().min(1).optional(),
  name: () => (z: Zod) =>
    z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
      .optional(),
};
