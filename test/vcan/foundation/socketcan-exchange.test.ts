// Proves the whole vcan path: a kernel with CAN (host or user-mode Linux), the socketcan native addon,
// and kernel-side id filters. A tester and an ECU-like responder exchange request/response frames.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import socketcan from 'socketcan';

type Channel = ReturnType<typeof socketcan.createRawChannel>;
interface RxMessage {
  id: number;
  data: Buffer;
}

const REQUEST_ID = 0x7e0;
const RESPONSE_ID = 0x7e8;
const NOISE_ID = 0x123;
const ROUNDS = 300;

const opened: Channel[] = [];
function open(filterId: number): Channel {
  const channel = socketcan.createRawChannel('vcan0', false);
  channel.setRxFilters([{ id: filterId, mask: 0x7ff }]);
  channel.start();
  opened.push(channel);
  return channel;
}

afterEach(() => {
  for (const channel of opened.splice(0)) channel.stop();
});

describe('SocketCAN on vcan0', () => {
  it('runs where the test runner says (host kernel or user-mode Linux)', () => {
    const mode = process.env.WITH_VCAN_MODE;
    expect(['host', 'uml']).toContain(mode);
    const link = execFileSync('ip', ['-details', 'link', 'show', 'vcan0'], { encoding: 'utf8' });
    expect(link).toMatch(/\bvcan\b/);
    console.log(`vcan test running on ${mode === 'uml' ? 'user-mode Linux' : 'the host kernel'}`);
  });

  it(`exchanges ${ROUNDS} request/response frames with id filters`, async () => {
    const tester = open(RESPONSE_ID);
    const ecu = open(REQUEST_ID);

    // The responder answers each request with the bytes inverted and the round number echoed.
    let noiseSeenByEcu = 0;
    ecu.addListener('onMessage', (msg: RxMessage) => {
      if (msg.id !== REQUEST_ID) noiseSeenByEcu++;
      const answer = Buffer.from(msg.data.map((b) => b ^ 0xff));
      ecu.send({ id: RESPONSE_ID, ext: false, rtr: false, data: answer });
    });

    const received: Buffer[] = [];
    let waiting: ((msg: RxMessage) => void) | undefined;
    tester.addListener('onMessage', (msg: RxMessage) => {
      received.push(msg.data);
      waiting?.(msg);
    });

    const noise = socketcan.createRawChannel('vcan0', false);
    noise.start();
    opened.push(noise);

    for (let round = 0; round < ROUNDS; round++) {
      const request = Buffer.from([round & 0xff, round >> 8, 0x22, 0xf1, 0x90, 0xaa, 0x55, round % 7]);
      const reply = new Promise<RxMessage>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no response in round ${round}`)), 2000);
        waiting = (msg) => {
          clearTimeout(timer);
          resolve(msg);
        };
      });
      // Frames the filters must keep away from both ends.
      noise.send({ id: NOISE_ID, ext: false, rtr: false, data: Buffer.from([0xde, 0xad]) });
      tester.send({ id: REQUEST_ID, ext: false, rtr: false, data: request });
      const msg = await reply;
      expect(msg.id).toBe(RESPONSE_ID);
      expect([...msg.data]).toEqual([...request].map((b) => b ^ 0xff));
    }
    expect(received).toHaveLength(ROUNDS);
    expect(noiseSeenByEcu).toBe(0);
  });
});
