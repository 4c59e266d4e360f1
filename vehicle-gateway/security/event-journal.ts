// The gateway's security events on disk until the backend confirms it stored them: an append-only
// JSON-lines file, fsynced after every line, so an event recorded while offline survives a restart
// and is sent again. Lines: {"event": <signed event>} and {"stored": <counter>}; a compaction writes
// {"counter": <last>} plus the unconfirmed events atomically. A torn last line (crash mid-write) is ignored.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SecurityEventSchema, type SignedSecurityEvent } from '@ota/protocol';
import { writeFileAtomic } from '../journal/atomic-file.ts';

/** Confirmations after which the file is rewritten with only what is unconfirmed. */
const COMPACT_AFTER = 500;

type Line = { event: SignedSecurityEvent } | { stored: number } | { counter: number };

function parseLine(text: string): Line | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.stored === 'number') return { stored: value.stored };
    if (typeof value.counter === 'number') return { counter: value.counter };
    const event = value.event as SignedSecurityEvent | undefined;
    if (event && SecurityEventSchema.safeParse(event.signed).success) return { event };
  } catch {
    // a torn line: the process died while writing it
  }
  return undefined;
}

export class SecurityEventJournal {
  readonly #pending = new Map<number, SignedSecurityEvent>();
  #last = -1;
  #fd: number;
  #storedSinceCompaction = 0;

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) this.#replay(readFileSync(file, 'utf8'));
    this.#compact();
    this.#fd = openSync(file, 'a');
  }

  /** The counter the next event gets: above every event ever journaled, across restarts. */
  nextCounter(): number {
    return this.#last + 1;
  }

  /** Events not yet confirmed by the backend, oldest first. */
  pending(): SignedSecurityEvent[] {
    return [...this.#pending.values()].sort((a, b) => a.signed.counter - b.signed.counter);
  }

  /** Durable once this returns. */
  append(event: SignedSecurityEvent): void {
    if (event.signed.counter <= this.#last) throw new Error(`security event counter ${event.signed.counter} reused`);
    this.#write({ event });
    this.#last = event.signed.counter;
    this.#pending.set(event.signed.counter, event);
  }

  markStored(counter: number): void {
    if (!this.#pending.delete(counter)) return;
    this.#write({ stored: counter });
    if (++this.#storedSinceCompaction >= COMPACT_AFTER) {
      closeSync(this.#fd);
      this.#compact();
      this.#fd = openSync(this.file, 'a');
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #replay(text: string): void {
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      const line = parseLine(raw);
      if (!line) continue;
      if ('event' in line) {
        this.#pending.set(line.event.signed.counter, line.event);
        this.#last = Math.max(this.#last, line.event.signed.counter);
      } else if ('stored' in line) this.#pending.delete(line.stored);
      else this.#last = Math.max(this.#last, line.counter);
    }
  }

  #compact(): void {
    const lines = [{ counter: this.#last }, ...this.pending().map((event) => ({ event }))];
    writeFileAtomic(this.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    this.#storedSinceCompaction = 0;
  }

  #write(line: Line): void {
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
    let done = 0;
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done, bytes.length - done);
    fsyncSync(this.#fd);
  }
}
