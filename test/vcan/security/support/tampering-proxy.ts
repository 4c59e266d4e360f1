// A man in the middle between a gateway and the MQTT broker: forwards both ways, and once armed rewrites the next
// occurrence of a text in what the broker sends the gateway into another of the same length (so the MQTT packet
// lengths stay right). Forging a Director target is this: a byte of the signed metadata changed on the way.
import { connect, createServer, type Socket } from 'node:net';

export interface TamperingProxy {
  readonly port: number;
  /** Rewrites the next `from` (broker to gateway) into `to`; resolves once it did. */
  armOnce(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

interface Rewrite {
  from: Buffer;
  to: Buffer;
  done: () => void;
}

/** Forwards `source` to `sink`, holding back just enough bytes to find `rewrite().from` across chunk edges. */
function forward(source: Socket, sink: Socket, rewrite: () => Rewrite | undefined, clear: () => void): void {
  let held = Buffer.alloc(0);
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (held.length > 0) sink.write(held);
    held = Buffer.alloc(0);
  };
  source.on('data', (chunk: Buffer) => {
    clearTimeout(flushTimer);
    const r = rewrite();
    if (!r) {
      flush();
      sink.write(chunk);
      return;
    }
    let data = Buffer.concat([held, chunk]);
    const at = data.indexOf(r.from);
    if (at >= 0) {
      data = Buffer.from(data);
      r.to.copy(data, at);
      held = Buffer.alloc(0);
      sink.write(data);
      clear();
      r.done();
      return;
    }
    const keep = Math.min(r.from.length - 1, data.length);
    sink.write(data.subarray(0, data.length - keep));
    held = Buffer.from(data.subarray(data.length - keep));
    // A packet that ends within the held bytes must not wait for the next chunk.
    flushTimer = setTimeout(flush, 20);
  });
  source.on('end', () => {
    clearTimeout(flushTimer);
    flush();
    sink.end();
  });
}

export async function startTamperingProxy(target: { host: string; port: number }): Promise<TamperingProxy> {
  const sockets = new Set<Socket>();
  let pending: Rewrite | undefined;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    forward(
      upstream,
      client,
      () => pending,
      () => (pending = undefined),
    );
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    armOnce(from, to) {
      if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('the rewrite must keep the length');
      return new Promise<void>((done) => {
        pending = { from: Buffer.from(from), to: Buffer.from(to), done };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
