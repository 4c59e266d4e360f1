// ISO 15765-2 timing still holds with batched consecutive frames and deadline-based timeouts: STmin paces
// every frame (on the 500 kbit/s bus too), BS bounds each batch, and N_Cr, N_Bs and N_As still expire.
import { describe, expect, it } from 'vitest';
import type { CanFrame } from '../can/frame.ts';
import { MemoryCanBus } from '../can/memory-bus.ts';
import type { CanTransport } from '../can/transport.ts';
import { IsoTpEndpoint } from './endpoint.ts';
import { IsoTpTimeoutError } from './errors.ts';
import { stMinToMicros } from './stmin.ts';
import { closeAfterEach, endpointPair, hexOf, waitFor, type RecordedFrame } from './test-helpers.ts';

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const pciType = (f: { data: Uint8Array }): number => (f.data[0] as number) >> 4;
const consecutiveFrames = (frames: RecordedFrame[]): RecordedFrame[] =>
  frames.filter((f) => f.from === 'tester' && pciType(f) === 2);

const closing = closeAfterEach();

describe('STmin and BS with batched consecutive frames', () => {
  it('paces every consecutive frame by the receiver STmin on the 500 kbit/s bus', async () => {
    for (const stMin of [0x02, 0xf5, 0xf1]) {
      const pair = closing(endpointPair({}, { stMin }, undefined, new MemoryCanBus({ bitrate: 500_000 })));
      await pair.tester.send(pattern(90));
      await waitFor(() => pair.received('ecu').length === 1, 'message');
      const cfs = consecutiveFrames(pair.frames);
      expect(cfs.length).toBe(12);
      for (let i = 1; i < cfs.length; i++) {
        const gap = (cfs[i] as RecordedFrame).sentAtMicros - (cfs[i - 1] as RecordedFrame).sentAtMicros;
        expect(gap).toBeGreaterThanOrEqual(stMinToMicros(stMin));
      }
      expect(hexOf(pair.received('ecu')[0] as Uint8Array)).toBe(hexOf(pattern(90)));
      await pair.close();
    }
  });

  it('sends exactly BS consecutive frames between flow controls, never a batch beyond the block', async () => {
    const pair = closing(endpointPair({}, { blockSize: 5 }));
    await pair.tester.send(pattern(300)); // 6 bytes in the FF, 42 CFs
    await waitFor(() => pair.received('ecu').length === 1, 'message');
    const kinds = pair.frames.map((f) => (f.from === 'ecu' ? 'FC' : pciType(f) === 2 ? 'CF' : 'FF'));
    const blocks = kinds.join(' ').split(' FC ').slice(1);
    expect(blocks.map((b) => b.split(' ').length)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 2]);
    expect(hexOf(pair.received('ecu')[0] as Uint8Array)).toBe(hexOf(pattern(300)));
  });
});

describe('timeouts with deadline-based timers', () => {
  it('N_Cr expires when the next consecutive frame is missing, and not before N_Cr after the last one', async () => {
    const pair = closing(endpointPair({}, { nCrMs: 60 }));
    await pair.inject(0x7e0, '101E000102030405');
    await pair.inject(0x7e0, '2106070809101112');
    await pair.inject(0x7e0, '2213141516171819');
    const lastFrameAt = performance.now();
    await waitFor(() => pair.ecuErrors.length > 0, 'N_Cr');
    const waited = performance.now() - lastFrameAt;
    const err = pair.ecuErrors[0] as IsoTpTimeoutError;
    expect(err).toBeInstanceOf(IsoTpTimeoutError);
    expect(err.timer).toBe('N_Cr');
    expect(err.message).toMatch(/after 20 of 30 bytes/);
    expect(waited).toBeGreaterThanOrEqual(59); // never early (setTimeout may round a fraction of a ms down)
    expect(pair.ecu.receiving).toBe(false);
  });

  it('N_Cr restarts on every consecutive frame: a message paced longer than N_Cr in total arrives', async () => {
    // 12 CFs 40 ms apart take ~480 ms; each gap is well inside N_Cr, the whole message is not.
    const pair = closing(endpointPair({}, { stMin: 40, nCrMs: 250 }));
    const started = performance.now();
    await pair.tester.send(pattern(90));
    await waitFor(() => pair.received('ecu').length === 1 || pair.ecuErrors.length > 0, 'message');
    expect(pair.ecuErrors).toEqual([]);
    expect(performance.now() - started).toBeGreaterThan(250);
    expect(hexOf(pair.received('ecu')[0] as Uint8Array)).toBe(hexOf(pattern(90)));
  });

  it('N_Bs expires when the flow control after a block does not come', async () => {
    const bus = new MemoryCanBus();
    const sender = new IsoTpEndpoint(bus.attach('sender'), { txId: 0x7e0, rxId: 0x7e8, nBsMs: 60 });
    const receiver = bus.attach('receiver');
    closing(sender);
    closing(receiver);
    const seen: number[] = [];
    receiver.subscribe([{ id: 0x7e0, mask: 0x7ff }], (f) => {
      seen.push(pciType(f));
      // Clear to send a block of 2, then silence.
      if (seen.length === 1)
        void receiver.send({ id: 0x7e8, extended: false, fd: false, data: Uint8Array.of(0x30, 2, 0) });
    });
    const err = await sender.send(pattern(100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IsoTpTimeoutError);
    expect((err as IsoTpTimeoutError).timer).toBe('N_Bs');
    expect(seen).toEqual([1, 2, 2]);
  });

  it('N_As expires when the transport does not take a batch of consecutive frames', async () => {
    const bus = new MemoryCanBus();
    const own = bus.attach('sender');
    const stuck: CanTransport = { ...bindAll(own), sendBatch: () => new Promise<void>(() => undefined) };
    const sender = new IsoTpEndpoint(stuck, { txId: 0x7e0, rxId: 0x7e8, nAsMs: 40 });
    const receiver = new IsoTpEndpoint(bus.attach('receiver'), { txId: 0x7e8, rxId: 0x7e0 });
    closing(sender);
    closing(receiver);
    const err = await sender.send(pattern(100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IsoTpTimeoutError);
    expect((err as IsoTpTimeoutError).timer).toBe('N_As');
  });
});

function bindAll(t: CanTransport): CanTransport {
  return {
    name: t.name,
    send: (f: CanFrame) => t.send(f),
    sendBatch: (fs: readonly CanFrame[]) => t.sendBatch(fs),
    subscribe: (f, l) => t.subscribe(f, l),
    onError: (l) => t.onError(l),
    close: () => t.close(),
  };
}
