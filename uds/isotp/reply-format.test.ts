// A CAN FD node answers in the frame format the request came in (ISO 15765-2): a classical-only tester's
// controller rejects CAN FD frames, and an FD tester's frames tell the data length (RX_DL) it uses.
import { describe, expect, it } from 'vitest';
import { MemoryCanBus } from '../can/memory-bus.ts';
import type { ReceivedFormat } from './frames.ts';
import { endpointPair, hexOf, waitFor } from './test-helpers.ts';
import { MiniEcu } from '../testing/mini-ecu.ts';
import { IsoTpEndpoint } from './endpoint.ts';
import { recording, type RecordedFrame } from './test-helpers.ts';
import { UdsClient } from '../client/client.ts';

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

/** An FD-capable ECU endpoint (TX_DL 64) and a tester configured as given; the ECU keeps each request's format. */
function fdEcuWith(tester: { fd: boolean; txDataLength?: number }) {
  const pair = endpointPair(tester, { fd: true, txDataLength: 64 });
  const formats: ReceivedFormat[] = [];
  pair.ecu.onMessage((_, format) => formats.push(format));
  const ecuFrames = () => pair.frames.filter((f) => f.from === 'ecu');
  return { ...pair, formats, ecuFrames };
}

describe('ISO-TP replies in the format of the request', () => {
  it('a classical first frame gets classical flow control, and the reply goes out in classical frames', async () => {
    const pair = fdEcuWith({ fd: false });
    try {
      await pair.tester.send(pattern(30));
      await waitFor(() => pair.formats.length === 1, 'the request');
      expect(pair.formats[0]).toEqual({ fd: false, dataLength: 8 });
      const fc = pair.ecuFrames();
      expect(fc.map((f) => ({ fd: f.fd, hex: hexOf(f.data) }))).toEqual([{ fd: false, hex: '300000CCCCCCCCCC' }]);

      const reply = pattern(200);
      await pair.ecu.send(reply, pair.formats[0]);
      await waitFor(() => pair.received('tester').length === 1, 'the reply');
      expect(hexOf(pair.received('tester')[0] as Uint8Array)).toBe(hexOf(reply));
      const replyFrames = pair.ecuFrames().slice(1);
      expect(replyFrames.length).toBe(1 + Math.ceil((200 - 6) / 7));
      expect(replyFrames.every((f) => !f.fd && f.data.length === 8)).toBe(true);
      expect([...pair.testerErrors, ...pair.ecuErrors]).toEqual([]);
    } finally {
      await pair.close();
    }
  });

  it('a classical single frame gets a classical single-frame or multi-frame reply', async () => {
    const pair = fdEcuWith({ fd: false });
    try {
      await pair.tester.send(Uint8Array.of(0x22, 0xf1, 0x90));
      await waitFor(() => pair.formats.length === 1, 'the request');
      await pair.ecu.send(pattern(5), pair.formats[0]);
      await pair.ecu.send(pattern(40), pair.formats[0]);
      await waitFor(() => pair.received('tester').length === 2, 'the replies');
      expect(pair.ecuFrames().every((f) => !f.fd && f.data.length === 8)).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it('an FD first frame of 16 bytes gets FD flow control and a reply of at most 16-byte FD frames', async () => {
    const pair = fdEcuWith({ fd: true, txDataLength: 16 });
    try {
      await pair.tester.send(pattern(100));
      await waitFor(() => pair.formats.length === 1, 'the request');
      expect(pair.formats[0]).toEqual({ fd: true, dataLength: 16 });
      expect(pair.ecuFrames().map((f) => f.fd)).toEqual([true]);

      const reply = pattern(300);
      await pair.ecu.send(reply, pair.formats[0]);
      await waitFor(() => pair.received('tester').length === 1, 'the reply');
      expect(hexOf(pair.received('tester')[0] as Uint8Array)).toBe(hexOf(reply));
      const replyFrames = pair.ecuFrames().slice(1);
      expect(replyFrames.every((f) => f.fd && f.data.length <= 16)).toBe(true);
      expect(replyFrames.length).toBe(1 + Math.ceil((300 - 14) / 15));
    } finally {
      await pair.close();
    }
  });

  it('never goes beyond its own format: a classical endpoint answers an FD request in classical frames', async () => {
    const pair = endpointPair({ fd: true, txDataLength: 64 }, { fd: false });
    const formats: ReceivedFormat[] = [];
    pair.ecu.onMessage((_, format) => formats.push(format));
    try {
      await pair.tester.send(pattern(100));
      await waitFor(() => formats.length === 1, 'the request');
      expect(formats[0]).toEqual({ fd: true, dataLength: 64 });
      await pair.ecu.send(pattern(100), formats[0]);
      await waitFor(() => pair.received('tester').length === 1, 'the reply');
      expect(pair.frames.filter((f) => f.from === 'ecu').every((f) => !f.fd && f.data.length === 8)).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it('a UDS server on a CAN FD ECU serves a classical-only tester in classical frames only', async () => {
    const bus = new MemoryCanBus();
    const frames: RecordedFrame[] = [];
    const ecuCan = recording(bus.attach('ecu'), frames);
    const ecu = new MiniEcu({
      physical: new IsoTpEndpoint(ecuCan, { txId: 0x7e8, rxId: 0x7e0, fd: true }),
      secret: new Uint8Array(16),
    });
    const physical = new IsoTpEndpoint(bus.attach('tester'), { txId: 0x7e0, rxId: 0x7e8 });
    const client = new UdsClient(physical);
    try {
      expect(Buffer.from(await client.readDataByIdentifier(0xf190)).toString()).toBe('WVWZZZ1JZXW000001');
      await client.writeDataByIdentifier(0xf15a, new Uint8Array(30)).catch(() => undefined); // multi-frame request
      expect(frames.length).toBeGreaterThan(3);
      expect(frames.filter((f) => f.fd || f.data.length > 8)).toEqual([]);
    } finally {
      await client.close();
      await physical.close();
      await ecu.close();
    }
  });
});
