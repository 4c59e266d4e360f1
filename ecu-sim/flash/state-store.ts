// Atomic persistence of an ECU's metadata: write a temp file, fsync it, rename it over state.json, fsync the
// directory. A kill at any instant leaves either the old or the new state.json, never a torn one.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ecuStateSchema, type EcuState } from './ecu-state.ts';
import type { PowerSupply } from './power.ts';

export const STATE_FILE = 'state.json';

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(dir: string, name: string, content: string | Uint8Array): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  fsyncDirectory(dir);
}

export class StateStore {
  constructor(
    readonly dir: string,
    private readonly power: PowerSupply,
  ) {}

  load(): EcuState {
    const file = join(this.dir, STATE_FILE);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new StateFileError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const parsed = ecuStateSchema.safeParse(json);
    if (!parsed.success) {
      throw new StateFileError(`${file} is not a valid ECU state: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    return parsed.data;
  }

  save(state: EcuState): void {
    this.power.assertOn('state');
    writeFileAtomic(this.dir, STATE_FILE, `${JSON.stringify(state, null, 1)}\n`);
  }
}
