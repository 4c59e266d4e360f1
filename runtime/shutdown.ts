// One way for every long-running program to stop on SIGINT or SIGTERM: run its stop once, exit 0 when
// done, 1 when the stop fails or takes too long, and exit at once on a second, later signal.

/** Signals that ask a program to stop. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface ShutdownOptions {
  /** Longest wait for `stop` before exiting with status 1. */
  timeoutMs?: number;
  /**
   * A signal this soon after the first is the same request: Ctrl-C under `npm run` reaches the program
   * twice (from the terminal and forwarded by npm). Only a later one means "exit now".
   */
  repeatWindowMs?: number;
  log?: (line: string) => void;
  /** For tests: what ends the process. */
  exit?: (code: number) => void;
}

/** Installs the handlers; returns a function that removes them. */
export function stopOnSignals(stop: (signal: StopSignal) => Promise<void>, options: ShutdownOptions = {}): () => void {
  const {
    timeoutMs = 10_000,
    repeatWindowMs = 1_000,
    log = (line) => console.error(line),
    exit = process.exit,
  } = options;
  let firstAt: number | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < repeatWindowMs) return;
      log(`${signal} again: exiting without waiting`);
      exit(1);
      return;
    }
    firstAt = Date.now();
    log(`${signal}: stopping`);
    const timer = setTimeout(() => {
      log(`stop did not finish within ${timeoutMs / 1000} s; exiting`);
      exit(1);
    }, timeoutMs);
    timer.unref();
    stop(signal).then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        log(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
        exit(1);
      },
    );
  };
  const handlers = STOP_SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
