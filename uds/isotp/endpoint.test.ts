import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IsoTpEndpoint } from './endpoint.ts';
import {
  IsoTpMessageLengthError,
  IsoTpOverflowError,
  IsoTpSequenceError,
  IsoTpTimeoutError,
  IsoTpUnexpectedFrameError,
  IsoTpWaitLimitError,
  IsoTpConfigError,
  IsoTpInvalidFrameError,
} from './errors.ts';
import { normalFixedId, normalFixedPhysicalIds } from './options.ts';
import { stMinToMicros } from './stmin.ts';
import { endpointPair, hexOf, settle, waitFor } from './test-helpers.ts';
import { MemoryCanBus } from '../can/memory-bus.ts';

const pattern = (n: number, seed = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('ISO-TP endpoint round trips', () => {
  it('any message of 1..4095 bytes arrives intact for any BS / STmin (classical CAN)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4095 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 16 }),
        fc.constantFrom(0x00, 0x00, 0xf1, 0xf3),
        fc.boolean(),
        async (length, seed, blockSize, stMin, padded) => {
          const pair = endpointPair(
            { padding: padded ? 0xcc : null },
            { blockSize, stMin, padding: padded ? 0xcc : null },
          );
          try {
            const message = pattern(length, seed);
            await pair.tester.send(message);
            await waitFor(() => pair.received('ecu').length === 1, 'message');
            expect(hexOf(pair.received('ecu')[0] as Uint8Array)).toBe(hexOf(message));
            expect([...pair.testerErrors, ...pair.ecuErrors, ...pair.transportErrors]).toEqual([]);
            const sent = pair.frames.filter((f) => f.from === 'tester' && (f.data[0] as number) >> 4 === 2);
            if (blockSize > 0) {
              const fcs = pair.frames.filter((f) => f.from === 'ecu').length;
              expect(fcs).toBe(Math.ceil(sent.length / blockSize)); // one after the FF, one after each full block
            }
          } finally {
            await pair.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('messages of any length up to 70 000 bytes arrive intact on CAN FD, any TX_DL', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 70_000 }),
        fc.constantFrom(8, 12, 16, 32, 48, 64),
        fc.integer({ min: 0, max: 4 }),
        async (length, txDataLength, blockSize) => {
          const pair = endpointPair({ fd: true, txDataLength }, { fd: true, blockSize });
          try {
            const message = pattern(length, length);
            await pair.tester.send(message);
            await waitFor(() => pair.received('ecu').length === 1, 'message');
            expect(Buffer.from(pair.received('ecu')[0] as Uint8Array).equals(Buffer.from(message))).toBe(true);
            expect(pair.frames.every((f) => f.data.length <= txDataLength || f.from === 'ecu')).toBe(true);
          } finally {
            await pair.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('uses the first-frame escape for a message over 4095 bytes on classical CAN', async () => {
    const pair = endpointPair();
    const message = pattern(5000);
    await pair.tester.send(message);
    await waitFor(() => pair.received('ecu').length === 1, 'message');
    expect(hexOf(pair.frames[0]?.data as Uint8Array)).toBe(
      '1000000013880001'.slice(0, 12) + hexOf(message.subarray(0, 2)),
    );
    expect(hexOf(pair.received('ecu')[0] as Uint8Array)).toBe(hexOf(message));
    await pair.close();
  });

  it('queues concurrent sends: one transfer at a time, in order', async () => {
    const pair = endpointPair();
    const a = pattern(100, 1);
    const b = pattern(3, 2);
    const c = pattern(50, 3);
    await Promise.all([pair.tester.send(a), pair.tester.send(b), pair.tester.send(c)]);
    await waitFor(() => pair.received('ecu').length === 3, 'three messages');
    expect(pair.received('ecu').map(hexOf)).toEqual([a, b, c].map(hexOf));
    await pair.close();
  });

  it('honours the receiver STmin between consecutive frames (ms and sub-ms values)', async () => {
    for (const stMin of [0x03, 0xf9]) {
      const pair = endpointPair({}, { stMin });
      await pair.tester.send(pattern(40));
      await waitFor(() => pair.received('ecu').length === 1, 'message');
      const cfs = pair.frames.filter((f) => f.from === 'tester' && (f.data[0] as number) >> 4 === 2);
      expect(cfs.length).toBe(5);
      for (let i = 1; i < cfs.length; i++) {
        expect((cfs[i]?.sentAtMicros as number) - (cfs[i - 1]?.sentAtMicros as number)).toBeGreaterThanOrEqual(
          stMinToMicros(stMin),
        );
      }
      await pair.close();
    }
  });

  it('sends FC with the configured BS and STmin, and padding 0xCC by default', async () => {
    const pair = endpointPair({}, { blockSize: 4, stMin: 0xf2 });
    await pair.tester.send(pattern(30));
    await waitFor(() => pair.received('ecu').length === 1, 'message');
    const fcFrames = pair.frames.filter((f) => f.from === 'ecu').map((f) => hexOf(f.data));
    expect(fcFrames).toEqual(['3004F2CCCCCCCCCC']);
    await pair.close();
  });
});

describe('ISO-TP flow-control variants and limits', () => {
  it('waits through FC.WAIT frames up to N_WFTmax', async () => {
    const pair = endpointPair({}, { flowControlWaits: 2, flowControlWaitIntervalMs: 5 });
    await pair.tester.send(pattern(20));
    await waitFor(() => pair.received('ecu').length === 1, 'message');
    expect(pair.frames.filter((f) => f.from === 'ecu').map((f) => hexOf(f.data).slice(0, 2))).toEqual([
      '31',
      '31',
      '30',
    ]);
    await pair.close();
  });

  it('abandons the transmission after more FC.WAIT frames than N_WFTmax', async () => {
    const pair = endpointPair({ maxWaitFrames: 1 }, { flowControlWaits: 3, flowControlWaitIntervalMs: 5 });
    await expect(pair.tester.send(pattern(20))).rejects.toBeInstanceOf(IsoTpWaitLimitError);
    await pair.close();
  });

  it('the receiver refuses a message over its limit with FC.OVFLW; the sender gets IsoTpOverflowError', async () => {
    const pair = endpointPair({}, { maxMessageLength: 100 });
    await expect(pair.tester.send(pattern(101))).rejects.toBeInstanceOf(IsoTpOverflowError);
    expect(pair.ecuErrors[0]).toBeInstanceOf(IsoTpOverflowError);
    expect(hexOf(pair.frames.find((f) => f.from === 'ecu')?.data as Uint8Array)).toBe('320000CCCCCCCCCC');
    await pair.tester.send(pattern(100));
    await waitFor(() => pair.received('ecu').length === 1, 'message within the limit');
    await pair.close();
  });

  it('times out N_Bs when no flow control comes', async () => {
    const bus = new MemoryCanBus();
    const lonely = new IsoTpEndpoint(bus.attach('t'), { txId: 0x7e0, rxId: 0x7e8, nBsMs: 30 });
    const err = await lonely.send(pattern(20)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IsoTpTimeoutError);
    expect((err as IsoTpTimeoutError).timer).toBe('N_Bs');
    await lonely.close();
  });

  it('times out N_Cr when consecutive frames stop, then receives normally', async () => {
    const pair = endpointPair({}, { nCrMs: 30 });
    await pair.inject(0x7e0, '1014000102030405');
    await waitFor(() => pair.ecuErrors.length === 1, 'N_Cr');
    expect((pair.ecuErrors[0] as IsoTpTimeoutError).timer).toBe('N_Cr');
    expect(pair.ecu.receiving).toBe(false);
    await pair.tester.send(pattern(20));
    await waitFor(() => pair.received('ecu').length === 1, 'message');
    expect(hexOf(pair.received('ecu')[0] as Uint8Array)).toBe(hexOf(pattern(20)));
    await pair.close();
  });

  it('rejects functional transmissions longer than a single frame; functional receivers ignore first frames', async () => {
    const bus = new MemoryCanBus();
    const tx = new IsoTpEndpoint(bus.attach('t'), { txId: 0x7df, rxId: null, functional: true });
    const rx = new IsoTpEndpoint(bus.attach('e'), { txId: null, rxId: 0x7df, functional: true });
    const got: Uint8Array[] = [];
    const errors: Error[] = [];
    rx.onMessage((m) => got.push(m));
    rx.onError((e) => errors.push(e));
    await expect(tx.send(pattern(8))).rejects.toBeInstanceOf(IsoTpMessageLengthError);
    await tx.send(Uint8Array.of(0x3e, 0x80));
    await bus
      .attach('x')
      .send({ id: 0x7df, extended: false, fd: false, data: Uint8Array.of(0x10, 0x14, 1, 2, 3, 4, 5, 6) });
    await settle();
    expect(got.map(hexOf)).toEqual(['3E80']);
    expect(errors[0]).toBeInstanceOf(IsoTpUnexpectedFrameError);
  });

  it('rejects empty messages and bad configuration with clear errors', async () => {
    const pair = endpointPair();
    await expect(pair.tester.send(new Uint8Array(0))).rejects.toBeInstanceOf(IsoTpMessageLengthError);
    const bus = new MemoryCanBus();
    expect(() => new IsoTpEndpoint(bus.attach('a'), { txId: 0x800, rxId: 1 })).toThrow(/11-bit/);
    const receiveOnly = new IsoTpEndpoint(bus.attach('r'), { txId: null, rxId: 0x7df, functional: true });
    await expect(receiveOnly.send(Uint8Array.of(1))).rejects.toThrow(/receive-only/);
    expect(() => new IsoTpEndpoint(bus.attach('a'), { txId: null, rxId: null })).toThrow(IsoTpConfigError);
    expect(() => new IsoTpEndpoint(bus.attach('a'), { txId: 1, rxId: 2, stMin: 0x80 })).toThrow(IsoTpConfigError);
    expect(() => new IsoTpEndpoint(bus.attach('a'), { txId: 1, rxId: 2, txDataLength: 64 })).toThrow(/fd: true/);
    expect(() => new IsoTpEndpoint(bus.attach('a'), { txId: 1, rxId: 2, fd: true, txDataLength: 13 })).toThrow(
      /CAN FD length/,
    );
    await pair.close();
  });
});

describe('ISO-TP robustness against bad frames', () => {
  it('abandons a reception on a wrong sequence number and reports it', async () => {
    const pair = endpointPair();
    await pair.inject(0x7e0, '1014000102030405');
    await pair.inject(0x7e0, '2206070809101112');
    await settle();
    expect(pair.ecuErrors[0]).toBeInstanceOf(IsoTpSequenceError);
    expect(pair.ecu.receiving).toBe(false);
    expect(pair.received('ecu')).toEqual([]);
  });

  it('a single frame during a reception abandons it with a clear error and is delivered itself', async () => {
    const pair = endpointPair();
    await pair.inject(0x7e0, '1014000102030405');
    await pair.inject(0x7e0, '023E00CCCCCCCCCC');
    await settle();
    expect(pair.ecuErrors[0]).toBeInstanceOf(IsoTpUnexpectedFrameError);
    expect(pair.received('ecu').map(hexOf)).toEqual(['3E00']);
  });

  it('ignores consecutive frames outside a reception, stale flow control and invalid frames', async () => {
    const pair = endpointPair();
    await pair.inject(0x7e0, '2101020304050607');
    await pair.inject(0x7e8, '300000');
    await pair.inject(0x7e0, '4000');
    await settle();
    expect(pair.received('ecu')).toEqual([]);
    expect(pair.ecuErrors.map((e) => e.constructor)).toEqual([IsoTpInvalidFrameError]);
    await pair.tester.send(pattern(9));
    await waitFor(() => pair.received('ecu').length === 1, 'message');
  });

  it('random frames never throw out of the transport nor leave state behind', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 8 }), { minLength: 1, maxLength: 30 }),
        async (junk) => {
          const pair = endpointPair({}, { nCrMs: 1000 });
          try {
            for (const frame of junk) await pair.inject(0x7e0, hexOf(frame));
            await settle();
            expect(pair.transportErrors).toEqual([]);
            const message = pattern(50);
            await pair.tester.send(message);
            await waitFor(() => pair.received('ecu').some((m) => hexOf(m) === hexOf(message)), 'message after junk');
          } finally {
            await pair.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('ISO-TP addressing', () => {
  it('normal-fixed 29-bit addressing uses 0x18DA<TA><SA> both ways, 0x18DB for functional', async () => {
    expect(normalFixedId('functional', 0x33, 0xf1).toString(16)).toBe('18db33f1');
    const ids = normalFixedPhysicalIds(0xf1, 0x10);
    expect([ids.txId.toString(16), ids.rxId.toString(16)]).toEqual(['18da10f1', '18daf110']);
    const pair = endpointPair({}, {}, { req: ids.txId, res: ids.rxId, extended29: true });
    await pair.tester.send(pattern(20));
    await waitFor(() => pair.received('ecu').length === 1, 'message');
    expect(new Set(pair.frames.map((f) => `${f.from}:${f.id.toString(16)}:${f.extended}`))).toEqual(
      new Set(['tester:18da10f1:true', 'ecu:18daf110:true']),
    );
    await pair.close();
  });

  it('extended addressing prefixes every frame and ignores frames for other addresses', async () => {
    const pair = endpointPair({ extendedAddress: { tx: 0x10, rx: 0xf1 } }, { extendedAddress: { tx: 0xf1, rx: 0x10 } });
    await pair.inject(0x7e0, '20023E00CCCCCCCC'); // for node 0x20: not ours
    await pair.tester.send(pattern(13));
    await waitFor(() => pair.received('ecu').length === 1, 'message');
    expect(hexOf(pair.received('ecu')[0] as Uint8Array)).toBe(hexOf(pattern(13)));
    expect(pair.frames.map((f) => hexOf(f.data).slice(0, 4))).toEqual(['1010', 'F130', '1021', '1022']);
    await pair.close();
  });
});
