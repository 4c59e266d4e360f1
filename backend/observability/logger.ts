// The backend's logger: pino, JSON lines with level, time, component and the call's fields; short
// human-readable lines on a terminal or with LOG_FORMAT=pretty; repeated warnings and errors collapsed.
import { pino, type Logger } from 'pino';
import { LogSink } from './log-lines.ts';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  component: string;
  level?: string;
  /** Default: pretty on a terminal, JSON otherwise. */
  format?: LogFormat;
  write?: (text: string) => void;
}

export function createLogger(options: LoggerOptions): Logger {
  const sink = new LogSink({
    write: options.write ?? ((text) => process.stdout.write(text)),
    pretty: (options.format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty',
  });
  return pino({ level: options.level ?? 'info', base: { component: options.component } }, sink);
}

/**
 * The logger of the startup lines an operator needs whatever LOG_LEVEL says (the port bound, which
 * supervisors and tests read with PORT=0): info lines, as what they report is no warning, from a
 * child whose own level is info, so a higher LOG_LEVEL (even silent) does not hide them.
 */
export function startupLogger(log: Logger): Logger {
  return log.child({}, { level: 'info' });
}

/**
 * Sends console.log/info/warn/error through `log` (as info, warn and error lines), so that messages of
 * code that prints directly become structured lines and repeated errors collapse too.
 */
export function routeConsoleToLogger(log: Logger): void {
  const text = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  const errorOf = (args: unknown[]) => args.find((a): a is Error => a instanceof Error);
  console.log = (...args: unknown[]) => log.info(text(args));
  console.info = console.log;
  console.warn = (...args: unknown[]) => log.warn({ err: errorOf(args) }, text(args));
  console.error = (...args: unknown[]) => log.error({ err: errorOf(args) }, text(args));
}

/** Writes the counts of repeated lines held back (at shutdown, so that none is lost). */
export function flushRepeats(log: Logger): void {
  // pino keeps its destination under a symbol it exports but does not type on Logger.
  const stream: unknown = Reflect.get(log, pino.symbols.streamSym);
  if (stream instanceof LogSink) stream.flush();
}
