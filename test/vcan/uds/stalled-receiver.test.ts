// A process that does not run while the bus is busy (a loaded host) still gets the frames it subscribed to:
// the kernel queues only those for its socket, not the rest of the bus traffic that would fill the receive
// buffer (a few hundred frames) and push its own frames out.
import { afterEach, describe, expect, it } from 'vitest';
import { exactIdFilter, openSocketCan, type CanFrame, type CanTransport } from '@ota/uds';
import { waitFor } from '@ota/uds/testing';

const IFACE = 'vcan0';
/** Far more than the default 212 KB receive buffer holds. */
const OTHER_FRAMES = 3000;
const opened: CanTransport[] = [];

afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
});

async function open(): Promise<CanTransport> {
  const t = await openSocketCan(IFACE);
  opened.push(t);
  return t;
}

const frame = (id: number, byte: number): CanFrame => ({ id, extended: false, fd: false, data: Uint8Array.of(byte) });

describe('a stalled receiver over SocketCAN', () => {
  it(`gets its frame after ${OTHER_FRAMES} frames for other nodes crossed the bus while it did not run`, async () => {
    const receiver = await open();
    const other = await open();
    const sender = await open();
    const mine: number[] = [];
    let others = 0;
    receiver.subscribe([exactIdFilter(0x7e8, false)], (f) => mine.push(f.data[0]!));
    other.subscribe([exactIdFilter(0x123, false)], () => others++);
    // One synchronous stretch: the receiver's process reads nothing meanwhile, as when the host stalls it.
    const sent: Promise<void>[] = [];
    for (let i = 0; i < OTHER_FRAMES; i++) sent.push(sender.send(frame(0x123, i & 0xff)));
    sent.push(sender.send(frame(0x7e8, 0x42)));
    await Promise.all(sent);
    await waitFor(() => mine.length > 0, 'the frame for the receiver', 10_000);
    expect(mine).toEqual([0x42]);
    // The other subscriber's buffer overflowed: the kernel did deliver the whole flood, to a socket that wanted it.
    expect(others).toBeGreaterThan(0);
  });
});
