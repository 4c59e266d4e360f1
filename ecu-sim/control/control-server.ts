// The control channel: a Unix socket taking line-delimited JSON commands (control-commands.ts), one JSON
// reply line per command.
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { RunningVehicle } from '../vehicle-runner.ts';
import { executeControlCommand, parseControlLine } from './control-commands.ts';

const MAX_LINE = 64 * 1024;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

export async function startControlServer(path: string, vehicle: RunningVehicle): Promise<ControlServer> {
  rmSync(path, { force: true }); // a socket left behind by a killed run
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let chain = Promise.resolve();
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE && !buffer.includes('\n')) {
        socket.end(`${JSON.stringify({ ok: false, error: 'line too long' })}\n`);
        return;
      }
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line === '') continue;
        chain = chain.then(async () => {
          const command = parseControlLine(line);
          const reply =
            'error' in command ? { ok: false, error: command.error } : await executeControlCommand(vehicle, command);
          if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
        });
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        rmSync(path, { force: true });
      }),
  };
}
