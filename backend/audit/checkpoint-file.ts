/**
 * The checkpoint file: one signed checkpoint per line, only ever appended to (opened O_APPEND, each
 * batch written with one write and fsync'd before it counts). Keep it where the database owner cannot
 * rewrite it: another host or volume, or a file with the append-only attribute (`chattr +a`).
 */
import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseCheckpointLine } from './checkpoint.ts';
import type { ParsedLine, SignedCheckpoint } from './checkpoint.ts';

/** Appends whole lines and makes them durable (file and, when the file is new, its directory entry). */
export async function appendCheckpoints(file: string, checkpoints: readonly SignedCheckpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'a', 0o600);
  try {
    const created = (await handle.stat()).size === 0;
    await handle.write(checkpoints.map((c) => `${JSON.stringify(c)}\n`).join(''));
    await handle.sync();
    if (created) await syncDirectory(dirname(file));
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface NumberedLine {
  /** 1-based line number in the file, for messages. */
  readonly lineNo: number;
  readonly parsed: ParsedLine;
}

/** Every non-empty line of the file, parsed, streamed; nothing when the file does not exist. */
export async function* readCheckpointLines(file: string): AsyncGenerator<NumberedLine> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const text of lines) {
      lineNo += 1;
      if (text.trim() !== '') yield { lineNo, parsed: parseCheckpointLine(text) };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/**
 * The last well-formed checkpoint that `accept` takes (e.g. one signed by a given key), read from
 * the end of the file (it grows for ever, so it is never read whole for this); null when none.
 */
export async function readLatestCheckpoint(
  file: string,
  accept: (checkpoint: SignedCheckpoint) => boolean = () => true,
): Promise<SignedCheckpoint | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    for (let span = 64 * 1024; ; span *= 4) {
      const start = Math.max(0, size - span);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').split('\n');
      // The first piece may begin mid-line (and mid-character) unless the read began at the start.
      if (start > 0) lines.shift();
      for (let i = lines.length - 1; i >= 0; i--) {
        const parsed = parseCheckpointLine(lines[i]!);
        if (parsed.kind === 'checkpoint' && accept(parsed.checkpoint)) return parsed.checkpoint;
      }
      if (start === 0) return null;
    }
  } finally {
    await handle.close();
  }
}
