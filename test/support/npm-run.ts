// `npm run <script>` as a test starts it: in its own process group (killed at the end whatever a failure
// left), its output kept, and the checks the signal tests make afterwards: nothing listening, nothing left.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { REPO_ROOT } from './programs.ts';

export interface NpmRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Kills whatever is left of the process group (a cleanup for afterEach). */
  killGroup: () => void;
}

export function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): NpmRun {
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // an orphan the test failed on
    } catch {
      // the group is gone, as it should be
    }
  };
  return { child, output: () => output, exited, killGroup };
}

export async function waitForOutput(run: NpmRun, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const matched = pattern.exec(run.output());
    if (matched) return matched;
    if (run.child.exitCode !== null) throw new Error(`exited before printing ${pattern}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether something accepts connections on a TCP port of 127.0.0.1 or on a Unix socket path. */
export function listening(where: number | string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = typeof where === 'number' ? connect({ port: where, host: '127.0.0.1' }) : connect(where);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until nothing listens on `where`; fails naming it when something still does. */
export async function expectPortFreed(where: number | string, output: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await listening(where)) {
    if (Date.now() > deadline) throw new Error(`something still listens on ${where} after the stop:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fails naming the leftovers when any process of the run's group (npm and all it started) is still alive. */
export async function expectNoOrphan(run: NpmRun, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-run.child.pid!, 0);
    } catch {
      return; // ESRCH: no process of the group is left
    }
    if (Date.now() > deadline) throw new Error(`a process of npm's group outlived the stop:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
