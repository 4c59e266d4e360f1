import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait-for.ts';
import { connectBroker, MAX_AT_MOST_ONCE_BACKLOG } from './broker-client.ts';

/** An MQTT 3.1.1 "broker" that accepts the CONNECT, then reads nothing until told to: a congested broker. */
async function stallingBroker(): Promise<{ url: string; socket: Promise<Socket>; server: Server }> {
  let connected!: (s: Socket) => void;
  const socket = new Promise<Socket>((r) => (connected = r));
  const server = createServer((s) => {
    s.once('data', () => {
      s.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNACK, accepted
      s.pause();
      connected(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, socket, server };
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe('publishAtMostOnce while the broker reads slower than the client writes', () => {
  it('drops QoS 0 messages past the backlog bound instead of buffering them, and sends again once it drained', async () => {
    const stalling = await stallingBroker();
    server = stalling.server;
    const client = await connectBroker({ url: stalling.url, clientId: 'backlog', protocolVersion: 4 });
    const socket = await stalling.socket;
    const payload = new Uint8Array(200);
    const count = 100_000; // 20 MB: more than the kernel's socket buffers and the bound together
    for (let i = 0; i < count; i++) client.publishAtMostOnce(`ota/v/V${i}/stored`, payload);
    const waiting = client.mqtt.stream.writableLength;
    expect(waiting).toBeGreaterThan(MAX_AT_MOST_ONCE_BACKLOG - 300);
    expect(waiting).toBeLessThanOrEqual(MAX_AT_MOST_ONCE_BACKLOG + 300);
    const dropped = client.droppedAtMostOnce;
    expect(dropped).toBeGreaterThan(count / 2);

    socket.resume(); // the broker catches up
    await waitFor('the backlog written', async () => client.mqtt.stream.writableLength === 0);
    client.publishAtMostOnce('ota/v/V1/stored', payload);
    expect(client.droppedAtMostOnce).toBe(dropped);
    client.mqtt.end(true);
    socket.destroy();
  });
});
