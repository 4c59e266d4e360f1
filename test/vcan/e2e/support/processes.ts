// The programs as real child processes (`node <entry>`, built or through tsx, no npm in between: UML is slow), each in
// its own process group so that a kill reaches whatever it started, each with its output kept for diagnosis.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { nodeArgsFor, REPO_ROOT } from '../../../support/programs.ts';

export { REPO_ROOT };

/** Lines kept in memory per process for a failure report. */
const TAIL_LINES = 60;

export interface ChildLog {
  readonly name: string;
  readonly file: string;
  /** The last lines of stdout and stderr, interleaved as they arrived. */
  tail(lines?: number): string[];
  /** Everything seen so far. */
  text(): string;
}

export class ManagedProcess implements ChildLog {
  readonly file: string;
  private readonly child: ChildProcess;
  private readonly out: WriteStream;
  private readonly lines: string[] = [];
  private all = '';
  private partial = '';
  private readonly exited: Promise<number | null>;
  private waiters: { pattern: RegExp; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    entry: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    logDir: string,
  ) {
    this.file = join(logDir, `${name}.log`);
    this.out = createWriteStream(this.file);
    this.child = spawn(process.execPath, [...nodeArgsFor(entry), ...args], {
      cwd: REPO_ROOT,
      env,
      detached: true, // its own process group: kill(-pid) ends it and anything it started
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.take(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.take(chunk));
    this.exited = new Promise((done) => {
      this.child.once('exit', (code, signal) => {
        this.take(Buffer.from(`\n[${name} exited: ${signal ?? `status ${code}`}]\n`));
        done(code);
      });
      this.child.once('error', (err) => {
        this.take(Buffer.from(`\n[${name} could not start: ${err.message}]\n`));
        done(null);
      });
    });
  }

  private take(chunk: Buffer): void {
    const text = chunk.toString();
    this.out.write(text);
    this.all += text;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > TAIL_LINES * 4) this.lines.splice(0, this.lines.length - TAIL_LINES * 2);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pattern.test(this.all)) return true;
      w.resolve();
      return false;
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(lines = TAIL_LINES): string[] {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].slice(-lines);
  }

  text(): string {
    return this.all;
  }

  /**
   * Resolves with the match once the output matches `pattern`; fails when the process exits first or after
   * `timeoutMs`.
   */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const matched = pattern.exec(this.all);
    if (matched) return matched;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolveWait) => this.waiters.push({ pattern, resolve: resolveWait })),
        this.exited.then((code) => {
          if (!pattern.test(this.all)) throw new Error(`${this.name} exited (${code}) before printing ${pattern}`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return pattern.exec(this.all)!;
  }

  /** Resolves with the exit status once the process has exited. */
  exit(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.running) {
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Whatever the process started and left behind in its group.
    this.signalGroup('SIGKILL');
    if (!this.out.writableEnded) await new Promise<void>((done) => this.out.end(done));
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // the group is already gone
    }
  }
}

/** The processes of one test, stopped together; their log tails printed when something failed. */
export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];

  constructor(
    private readonly logDir: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  start(name: string, entry: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ManagedProcess {
    const p = new ManagedProcess(name, entry, args, { ...this.baseEnv, ...env }, this.logDir);
    this.processes.push(p);
    return p;
  }

  /** Runs a command to its end and returns its output; fails with the output when it exits non-zero. */
  async run(name: string, entry: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    const p = this.start(name, entry, args, env);
    const code = await p.exit();
    if (code !== 0) throw new Error(`${name} exited with ${code}:\n${p.tail().join('\n')}`);
    return p.text();
  }

  tails(lines?: number): string {
    return this.processes.map((p) => `----- ${p.name} (${p.file}) -----\n${p.tail(lines).join('\n')}`).join('\n');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}
