// A program's whole configuration, environment and flags of every command, as the README's reference
// (test/docs/config-reference.test.ts keeps the README equal to it).
import type { Flag } from './cli-flags.ts';
import { flagsMarkdown } from './cli-flags.ts';
import { envMarkdown, type EnvSpec } from './env-config.ts';

export interface ProgramConfig {
  /** The command people run, e.g. `ota-gateway`. */
  readonly bin: string;
  /** The TypeScript entry (what `npm run` starts), relative to the repository root. */
  readonly entry: string;
  readonly env?: EnvSpec;
  /** Flags per command; '' is the program itself (one without commands). */
  readonly commands: Readonly<Record<string, readonly Flag[]>>;
}

/** The reference in Markdown: the environment table, then one flag table per command that has flags. */
export function programMarkdown(program: ProgramConfig): string {
  const parts: string[] = [];
  if (program.env && Object.keys(program.env).length > 0) parts.push('Environment:', envMarkdown(program.env));
  for (const [command, flags] of Object.entries(program.commands)) {
    if (flags.length === 0) continue;
    parts.push(`\`${[program.bin, command].filter(Boolean).join(' ')}\`:`, flagsMarkdown(flags));
  }
  return parts.join('\n\n');
}
