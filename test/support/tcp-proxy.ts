import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 in front of a real server, to take that server away from a client
 * and give it back: `cut()` refuses new connections and resets the open ones, `stall()` accepts
 * connections and never answers (a black-holed network), `restore()` forwards again, same port.
 */
export interface TcpProxy {
  readonly port: number;
  cut(): Promise<void>;
  stall(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let mode: 'forward' | 'stall' = 'forward';
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const onConnection = (client: Socket) => {
    track(client);
    if (mode === 'stall') return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      s.close(() => resolve());
      for (const socket of sockets) socket.resetAndDestroy();
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      await stopListening();
    },
    async stall() {
      await stopListening();
      mode = 'stall';
      await listen();
    },
    async restore() {
      await stopListening();
      mode = 'forward';
      await listen();
    },
    close: stopListening,
  };
}
