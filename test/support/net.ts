// Ports for servers a test starts. A program that can bind port 0 and name the port it bound should be
// started that way (the backend: PORT=0). Third-party servers that cannot (mosquitto, rsyslog, PostgreSQL)
// are started on a picked port and started again when it was taken meanwhile: between picking and binding,
// any process's outgoing connection may take the port as its ephemeral port (seen in CI: EADDRINUSE).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it; a race with other processes remains). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** What a start attempt throws when its server could not bind the port (another socket had it). */
export class PortTakenError extends Error {}

/** How servers say so: mosquitto, rsyslogd and PostgreSQL all print strerror(EADDRINUSE). */
export const PORT_TAKEN = /Address already in use/;

/** How long a server may keep finding its port taken before the start fails. */
const TAKEN_FOR_MS = 60_000;

/**
 * `start` on a port from `nextPort`, tried again while it throws PortTakenError: a fresh pick (freePort)
 * for a first start, or the same port for a restart whose clients know it (the socket that took it is
 * an outgoing connection, which ends).
 */
export async function retryWhilePortTaken<T>(
  nextPort: () => Promise<number>,
  start: (port: number) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + TAKEN_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    const port = await nextPort();
    try {
      return await start(port);
    } catch (error) {
      if (!(error instanceof PortTakenError) || Date.now() > deadline) throw error;
      // A growing pause before the next attempt, so a restart on the same port does not spin.
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 1000)));
    }
  }
}

/**
 * Whether process `pid` itself listens on 127.0.0.1:`port` (Linux: /proc/net/tcp and the process's fds),
 * not merely something: a stranger holding the port would pass a connect check.
 */
async function listensOn(pid: number, port: number): Promise<boolean> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const sockets = (await readFile('/proc/net/tcp', 'utf8'))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === local && f[3] === '0A') // 0A: LISTEN
    .map((f) => `socket:[${f[9]}]`);
  if (sockets.length === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    if (sockets.includes(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) return true;
  }
  return false;
}

/**
 * Spawns a server told to listen on 127.0.0.1:`port` and resolves with it once it listens there.
 * Throws PortTakenError (after killing it: rsyslogd keeps running without the listener) when its output
 * says the port was taken, and an error with its output when it exits or does not listen within 60 s.
 */
export async function spawnServer(file: string, args: readonly string[], port: number): Promise<ChildProcess> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await serverListening(child, port, () => output).catch((error: unknown) => {
    child.kill('SIGKILL'); // one that never listened (a no-op once it exited)
    throw error;
  });
  return child;
}

async function serverListening(
  child: ChildProcess,
  port: number,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // 'close': exited and its output read to the end (the message may arrive after 'exit').
  let closed = false;
  const close = new Promise<void>((resolve) => child.once('close', () => resolve(void (closed = true))));
  for (;;) {
    if (PORT_TAKEN.test(output())) {
      if (!closed) child.kill('SIGKILL');
      await close;
      throw new PortTakenError(`port ${port} was taken: ${output()}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await close;
      if (PORT_TAKEN.test(output())) continue;
      throw new Error(`the server exited before listening on ${port}: ${output()}`);
    }
    if (await listensOn(child.pid!, port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${port} within ${timeoutMs} ms: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
