// Third-party servers a test starts on a picked port (test/support/net.ts): when another socket took the
// port between picking and binding (CI: EADDRINUSE), the start is tried again instead of failing the test.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireMosquitto } from '../support/mosquitto.ts';
import { freePort, PortTakenError, retryWhilePortTaken, spawnServer } from '../support/net.ts';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Another process's socket on a port (CI saw an outgoing connection's; a listener conflicts alike). */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const release = () => new Promise<void>((resolve) => (holder.listening ? holder.close(() => resolve()) : resolve()));
  cleanups.push(release);
  return { port: (holder.address() as AddressInfo).port, release };
}

async function mosquittoOn(port: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'ports-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\n`, { mode: 0o644 });
  const child = await spawnServer(requireMosquitto('the port retry test'), ['-c', join(dir, 'm.conf')], port);
  cleanups.push(() => void child.kill('SIGKILL'));
  return port;
}

describe('servers started on a picked port', () => {
  it('says when the port was taken (mosquitto exits saying so)', async () => {
    const held = await holdPort();
    await expect(mosquittoOn(held.port)).rejects.toBeInstanceOf(PortTakenError);
  });

  it('starts on a fresh pick when the first one was taken', async () => {
    const held = await holdPort();
    const picks = [held.port];
    const port = await retryWhilePortTaken(async () => picks.shift() ?? freePort(), mosquittoOn);
    expect(port).not.toBe(held.port);
  });

  it('restarts on the same port once the socket that took it is gone', async () => {
    const held = await holdPort();
    let attempts = 0;
    const samePort = async () => {
      if (++attempts === 2) await held.release(); // the first attempt found it taken
      return held.port;
    };
    expect(await retryWhilePortTaken(samePort, mosquittoOn)).toBe(held.port);
    expect(attempts).toBe(2);
  });

  it('fails at once when the server fails for another reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ports-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'bad.conf'), 'no_such_option 1\n');
    const binary = requireMosquitto('the port retry test');
    await expect(
      retryWhilePortTaken(freePort, (port) => spawnServer(binary, ['-c', join(dir, 'bad.conf')], port)),
    ).rejects.toThrow(/exited before listening/);
  });
});
