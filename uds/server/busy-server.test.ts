// A busy UDS server stays bounded and answers promptly: a short queue, 0x21 busyRepeatRequest or nothing for
// the rest, and a response whose flow control never comes costs one N_Bs, not one per queued request.
import { describe, expect, it } from 'vitest';
import type { CanFrame } from '../can/frame.ts';
import { MemoryCanBus } from '../can/memory-bus.ts';
import { UdsClient } from '../client/client.ts';
import { UdsTimeoutError } from '../client/errors.ts';
import { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { IsoTpTimeoutError } from '../isotp/errors.ts';
import { hexOf, settle, waitFor } from '../isotp/test-helpers.ts';
import { NRC, NegativeResponseError } from '../nrc.ts';
import { MiniEcu } from '../testing/mini-ecu.ts';
import { MAX_QUEUED_REQUESTS } from './request-admission.ts';
import { UdsServer } from './server.ts';

/** `03 22 F1 90 CC..` style single frame for a raw node. */
function singleFrame(id: number, ...payload: number[]): CanFrame {
  const data = new Uint8Array(8).fill(0xcc);
  data.set([payload.length, ...payload]);
  return { id, extended: false, fd: false, data };
}

/** A server whose 0x31 handler waits until released, a raw node that floods it, and what comes back on 0x7E8. */
function gatedServer(p2StarServerMs = 60_000) {
  const bus = new MemoryCanBus();
  const physical = new IsoTpEndpoint(bus.attach('ecu'), { txId: 0x7e8, rxId: 0x7e0 });
  const server = new UdsServer({ physical, p2ServerMs: 50, p2StarServerMs });
  let release = (): void => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const runs: string[] = [];
  server.register({
    sid: 0x31,
    subFunctions: { 0x01: {} },
    handler: async (request) => {
      runs.push(hexOf(request));
      await gate;
      return Uint8Array.of(0x71, 0x01, request[2] as number, request[3] as number);
    },
  });
  const flooder = bus.attach('flooder');
  const answers: string[] = [];
  flooder.subscribe([{ id: 0x7e8, mask: 0x7ff }], (f) => answers.push(hexOf(f.data)));
  return {
    server,
    physical,
    runs,
    answers,
    /** Puts the frames on the bus in one go (delivered together, like a burst). */
    burst: (frames: CanFrame[]) => Promise.all(frames.map((f) => flooder.send(f))),
    open: () => {
      release();
      gate = new Promise<void>((r) => (release = r));
    },
  };
}

describe('UdsServer while busy', () => {
  it('a flood leaves a bounded queue: 2 wait, one 0x21 at a time (never for the SID in progress), the rest dropped', async () => {
    const s = gatedServer();
    await s.burst([singleFrame(0x7e0, 0x31, 0x01, 0x00, 0x01)]);
    await waitFor(() => s.runs.length === 1, 'the first request in its handler');
    const floodSize = 20_000;
    for (let sent = 0; sent < floodSize; sent += 1000) {
      await s.burst(
        Array.from({ length: 1000 }, (_, i) =>
          i % 2 === 0 ? singleFrame(0x7e0, 0x22, 0xf1, 0x90) : singleFrame(0x7e0, 0x31, 0x01, 0x00, 0x02),
        ),
      );
      await settle();
      expect(s.server.queuedRequests).toBeLessThanOrEqual(MAX_QUEUED_REQUESTS);
      expect(s.physical.queuedTransmissions).toBeLessThanOrEqual(2); // a busy answer and a 0x78 at most
    }
    const refused = s.server.refusedRequests;
    expect(refused.busy + refused.dropped + s.server.queuedRequests).toBe(floodSize);
    expect(refused.busy).toBeGreaterThanOrEqual(1);
    // Besides 0x78 for the request in progress, only 7F 22 21: never 7F 31 21, 0x31 being in progress.
    const negative = s.answers.filter((a) => a !== '037F3178CCCCCCCC');
    expect(negative.length).toBe(refused.busy);
    expect(new Set(negative)).toEqual(new Set(['037F2221CCCCCCCC']));
    expect(s.runs).toEqual(['31010001']);

    s.open();
    await waitFor(() => s.answers.includes('0471010001CCCCCC'), 'the answer to the first request');
    await waitFor(() => s.server.queuedRequests === 0, 'the queue to drain');
    expect(s.runs.length).toBeLessThanOrEqual(1 + MAX_QUEUED_REQUESTS);
  });

  it('requests that arrive while a handler runs wait and are served in order, up to the bound', async () => {
    const s = gatedServer();
    await s.burst([singleFrame(0x7e0, 0x31, 0x01, 0x00, 0x01)]);
    await waitFor(() => s.runs.length === 1, 'the first request in its handler');
    await s.burst([
      singleFrame(0x7e0, 0x31, 0x01, 0x00, 0x02),
      singleFrame(0x7e0, 0x31, 0x01, 0x00, 0x03),
      singleFrame(0x7e0, 0x22, 0xf1, 0x90), // no room: busy
    ]);
    await waitFor(() => s.answers.length === 1, 'the busy answer');
    expect(s.answers).toEqual(['037F2221CCCCCCCC']);
    s.open();
    await waitFor(() => s.runs.length === 2, 'the second request');
    s.open();
    await waitFor(() => s.runs.length === 3, 'the third request');
    s.open();
    await waitFor(() => s.answers.length === 4, 'all answers');
    expect(s.answers.slice(1)).toEqual(['0471010001CCCCCC', '0471010002CCCCCC', '0471010003CCCCCC']);
  });

  it('a junk flood of answerable requests (unknown SID) keeps queue and transmissions bounded', async () => {
    const s = gatedServer();
    for (let sent = 0; sent < 20_000; sent += 1000) {
      await s.burst(Array.from({ length: 1000 }, () => singleFrame(0x7e0, 0x23)));
      expect(s.server.queuedRequests).toBeLessThanOrEqual(MAX_QUEUED_REQUESTS);
      expect(s.physical.queuedTransmissions).toBeLessThanOrEqual(2);
    }
    await waitFor(() => s.server.queuedRequests === 0 && s.physical.queuedTransmissions === 0, 'the server idle');
    const refused = s.server.refusedRequests;
    const served = s.answers.filter((a) => a === '037F2311CCCCCCCC').length;
    expect(served + refused.busy + refused.dropped + refused.stale).toBe(20_000);
    expect(served).toBeLessThan(20_000);
  });

  it('a request that waited longer than P2*server is dropped unserved', async () => {
    const s = gatedServer(150);
    await s.burst([singleFrame(0x7e0, 0x31, 0x01, 0x00, 0x01)]);
    await waitFor(() => s.runs.length === 1, 'the first request in its handler');
    const queuedAt = performance.now();
    await s.burst([singleFrame(0x7e0, 0x31, 0x01, 0x00, 0x02)]);
    await waitFor(() => s.server.queuedRequests === 1, 'the second request queued');
    await waitFor(() => performance.now() - queuedAt > 200, 'P2*server to pass');
    s.open();
    await waitFor(() => s.server.refusedRequests.stale === 1, 'the stale request dropped');
    expect(s.runs).toEqual(['31010001']);
  });

  it('close() tells the waiting requests nothing was sent and waits for the one being served', async () => {
    const s = gatedServer();
    const first = s.server.handle(Uint8Array.of(0x31, 0x01, 0x00, 0x01), false);
    await waitFor(() => s.runs.length === 1, 'the first request in its handler');
    const waiting = [
      s.server.handle(Uint8Array.of(0x3e, 0x00), false),
      s.server.handle(Uint8Array.of(0x3e, 0x00), false),
    ];
    expect(s.server.queuedRequests).toBe(2);
    const closed = s.server.close();
    expect(await Promise.all(waiting)).toEqual([null, null]);
    s.open();
    await closed;
    expect(hexOf((await first) as Uint8Array)).toBe('71010001');
    expect(s.server.queuedRequests).toBe(0);
  });

  it('a node that never sends flow control costs one N_Bs, then another tester is answered', async () => {
    const bus = new MemoryCanBus();
    const ecuCan = bus.attach('ecu');
    const ecu = new MiniEcu({
      physical: new IsoTpEndpoint(ecuCan, { txId: 0x7e8, rxId: 0x7e0, nBsMs: 200 }),
      functional: new IsoTpEndpoint(ecuCan, { txId: null, rxId: 0x7df, functional: true }),
      secret: new Uint8Array(16),
    });
    let abandoned = 0;
    ecu.server.onError((err) => {
      if (err instanceof IsoTpTimeoutError && err.timer === 'N_Bs') abandoned++;
    });
    // 20 requests whose answers (62 F190 + VIN, 20 bytes) need flow control, which this node never sends.
    const rogue = bus.attach('rogue');
    void Promise.all(Array.from({ length: 20 }, () => rogue.send(singleFrame(0x7e0, 0x22, 0xf1, 0x90))));
    // Another tester asks on the functional address and takes single-frame answers (it sends no flow control
    // either, so it does not finish the rogue's transfers for it).
    const testerCan = bus.attach('tester');
    const listener = new IsoTpEndpoint(testerCan, { txId: null, rxId: 0x7e8 });
    const functional = new IsoTpEndpoint(testerCan, { txId: 0x7df, rxId: null, functional: true });
    const client = new UdsClient(listener, { functional });
    try {
      let answer: Uint8Array | null = null;
      let abandonedBeforeAnswer = -1;
      for (let attempt = 0; attempt < 60 && answer === null; attempt++) {
        try {
          answer = await client.request(Uint8Array.of(0x3e, 0x00), { functional: true });
          abandonedBeforeAnswer = abandoned;
        } catch (err) {
          const busy = err instanceof NegativeResponseError && err.nrc === NRC.busyRepeatRequest;
          if (!(busy || err instanceof UdsTimeoutError)) throw err;
        }
      }
      expect(hexOf(answer as Uint8Array)).toBe('7E00');
      expect(abandonedBeforeAnswer).toBe(1);
      expect(ecu.server.refusedRequests.stale).toBe(MAX_QUEUED_REQUESTS);
    } finally {
      await client.close();
      await listener.close();
      await functional.close();
      await ecu.close();
    }
  });
});
