// A multi-frame request the server never acknowledged with flow control (N_Bs on the tester: the server lost
// its first frame or abandoned the reception) cannot have reached it whole: the client sends it again.
import { describe, expect, it } from 'vitest';
import { MemoryCanBus } from '../can/memory-bus.ts';
import type { CanFrame } from '../can/frame.ts';
import { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { IsoTpTimeoutError } from '../isotp/errors.ts';
import { UdsClient } from './client.ts';
import type { UdsClientOptions } from './requester.ts';

const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));
const FIRST_FRAME = 0x10;

/** A tester with a short N_Bs and a raw ECU node that ignores the first `ignoredFirstFrames` first frames. */
function testerAndForgetfulEcu(ignoredFirstFrames: number, clientOptions: UdsClientOptions = {}) {
  const bus = new MemoryCanBus();
  const physical = new IsoTpEndpoint(bus.attach('tester'), { txId: 0x7e0, rxId: 0x7e8, nBsMs: 30 });
  const client = new UdsClient(physical, clientOptions);
  const ecu = bus.attach('ecu');
  const send = (h: string): Promise<void> => ecu.send({ id: 0x7e8, extended: false, fd: false, data: bytes(h) });
  const firstFrames: CanFrame[] = [];
  ecu.subscribe([{ id: 0x7e0, mask: 0x7ff }], (f) => {
    const type = f.data[0]! & 0xf0;
    if (type === FIRST_FRAME && firstFrames.push(f) > ignoredFirstFrames) void send('30 00 00');
    // The last consecutive frame of the 13-byte request: answer positively.
    else if (type === 0x20 && firstFrames.length > ignoredFirstFrames) void send('03 6E F1 5A');
  });
  const close = async (): Promise<void> => {
    await client.close();
    await physical.close();
    await ecu.close();
  };
  return { client, firstFrames, close };
}

describe('UdsClient and a request the server did not receive whole', () => {
  it('sends the request again after N_Bs and resolves with the answer', async () => {
    const { client, firstFrames, close } = testerAndForgetfulEcu(1);
    try {
      await client.writeDataByIdentifier(0xf15a, new Uint8Array(10));
      expect(firstFrames).toHaveLength(2);
    } finally {
      await close();
    }
  });

  it('gives up with the N_Bs timeout after undeliveredRepeats repetitions', async () => {
    const { client, firstFrames, close } = testerAndForgetfulEcu(Infinity, { undeliveredRepeats: 2 });
    try {
      const err = await client.writeDataByIdentifier(0xf15a, new Uint8Array(10)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IsoTpTimeoutError);
      expect((err as IsoTpTimeoutError).timer).toBe('N_Bs');
      expect(firstFrames).toHaveLength(3);
    } finally {
      await close();
    }
  });
});
