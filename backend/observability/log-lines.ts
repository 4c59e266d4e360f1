// Where the backend's JSON log lines go: unchanged to a file or pipe (one JSON object per line, for a
// collector), or as short human-readable lines on a terminal; either way, a warning or error repeated with
// the same message is written once, then once more as "repeated N times" when it stops or every window.

/** Fields pino writes on every line. */
interface LogLine {
  level: number;
  time: number;
  msg?: string;
  component?: string;
  err?: { message?: string; type?: string };
  [key: string]: unknown;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const WARN = 40;
const META = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'err']);

/** One short line: time, level, component, message, the other fields as key=value. */
export function formatPretty(line: LogLine): string {
  const time = new Date(line.time).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[line.level] ?? String(line.level)).padEnd(5);
  const fields = Object.entries(line)
    .filter(([k]) => !META.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const err = line.err?.message ? ` (${line.err.type ?? 'Error'}: ${line.err.message})` : '';
  return `${time} ${level} [${line.component ?? '-'}] ${line.msg ?? ''}${err}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

export interface LogSinkOptions {
  write: (text: string) => void;
  pretty: boolean;
  /** Longest stretch a repeated error stays silent before its count is written. */
  windowMs?: number;
  now?: () => number;
}

/** Warnings and errors remembered at once; beyond this the oldest is summarised early. */
const MAX_HELD = 1_000;

interface Held {
  first: LogLine;
  count: number;
  since: number;
}

/**
 * A pino destination (`write(line)`) that collapses repeated warnings and errors: a line with the level,
 * component, message and error message of one written less than a window ago is counted, not written,
 * even with other lines in between; the count is written when the window ends.
 */
export class LogSink {
  private readonly held = new Map<string, Held>();
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LogSinkOptions) {
    this.windowMs = options.windowMs ?? 10_000;
    this.now = options.now ?? Date.now;
    // A repeated error that then stops still gets its count written within about a window.
    setInterval(() => this.flush(false), this.windowMs).unref();
  }

  write(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      this.options.write(text);
      return;
    }
    this.flush(false);
    if (line.level >= WARN) {
      const key = `${line.level}|${line.component}|${line.msg}|${line.err?.message ?? ''}`;
      const held = this.held.get(key);
      if (held) {
        held.count++;
        return;
      }
      if (this.held.size >= MAX_HELD) this.summarise(this.held.keys().next().value!);
      this.held.set(key, { first: line, count: 0, since: this.now() });
    }
    this.output(line);
  }

  /** Writes the counts of lines held back: those whose window ended, or all of them. */
  flush(all = true): void {
    for (const [key, held] of this.held) {
      if (all || this.now() - held.since >= this.windowMs) this.summarise(key);
    }
  }

  private summarise(key: string): void {
    const held = this.held.get(key);
    this.held.delete(key);
    if (!held || held.count === 0) return;
    const seconds = Math.max(0, Math.round((this.now() - held.since) / 1000));
    const summary: LogLine = { ...held.first, time: this.now(), repeated: held.count, seconds };
    summary.msg = `${held.first.msg ?? ''} (repeated ${held.count} more times in ${seconds} s)`;
    this.output(summary);
  }

  // Not named `emit`: pino calls a destination's emit() as an event emitter.
  // Written from the parsed line, not pino's text: a child logger's binding (component) then replaces its
  // parent's instead of appearing twice in one object.
  private output(line: LogLine): void {
    this.options.write(this.options.pretty ? formatPretty(line) : `${JSON.stringify(line)}\n`);
  }
}
