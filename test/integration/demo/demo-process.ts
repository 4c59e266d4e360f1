// `node --import tsx scripts/start.ts ...` as a child process: its output collected, lines awaited, the
// printed API tokens parsed (test/support/backend-api.ts calls the API with them).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

export class DemoProcess {
  output = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  static start(args: string[]): DemoProcess {
    // The embedded mode whatever the environment says (CI sets DATABASE_URL and MQTT_URL).
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.MQTT_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DemoProcess(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits or time runs out. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.output);
      if (m) return m;
      if (!this.running) throw new Error(`the demo exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  token(user: string): string {
    const m = new RegExp(`^  ${user}\\s.*\\s(ota_\\S+)$`, 'm').exec(this.output);
    if (!m?.[1]) throw new Error(`no token for ${user} in the output:\n${this.output}`);
    return m[1];
  }

  /** Sends `signal` and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
