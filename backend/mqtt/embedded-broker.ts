import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { Aedes } from 'aedes';

/** The in-process broker used when no MQTT_URL is given (MQTT 3.1.1 only, like aedes 1.x). */
export interface EmbeddedBroker {
  /** `mqtt://127.0.0.1:PORT`: what gateways in other processes connect to. */
  readonly url: string;
  readonly port: number;
  readonly aedes: Aedes;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** Listen address; 127.0.0.1 unless told otherwise (never all interfaces by default). */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port?: number;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker({});
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    aedes,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Sockets of clients that did not disconnect would keep the server open.
        server.unref();
      });
    },
  };
}
