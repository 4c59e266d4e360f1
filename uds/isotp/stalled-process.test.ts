// N_Bs and N_Cr measure the peer's silence, not this process's own stall: when the host stops the process
// for longer than the timeout while the awaited frame is already waiting to be read, the frame wins.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCanBus } from '../can/memory-bus.ts';
import type { CanFrame } from '../can/frame.ts';
import { IsoTpEndpoint } from './endpoint.ts';
import { endpointPair, hexOf, stallNext, stallNow, waitFor, type Pair } from './test-helpers.ts';

/** Longer than a loaded host delays a loop turn, so the timeout expires in the stall, not before it. */
const TIMEOUT_MS = 150;
let pair: Pair | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await pair?.close();
  pair = undefined;
  for (const close of closers.splice(0)) await close();
});

describe('ISO-TP timeouts in a stalled process', () => {
  it('N_Cr does not expire when the next consecutive frame arrived during the stall', async () => {
    pair = endpointPair({}, { nCrMs: TIMEOUT_MS });
    const p = pair;
    p.ecu.onFirstFrame(() => stallNext(3 * TIMEOUT_MS, () => p.inject(0x7e0, '2106070809CCCCCC')));
    await pair.inject(0x7e0, '100A000102030405');
    await waitFor(() => pair?.received('ecu').length === 1 || (pair?.ecuErrors.length ?? 0) > 0, 'the message');
    expect(pair.ecuErrors).toEqual([]);
    expect(hexOf(pair.received('ecu')[0]!)).toBe('00010203040506070809');
  });

  it('N_Bs does not expire when the flow control arrived during the stall', async () => {
    const bus = new MemoryCanBus();
    const sender = new IsoTpEndpoint(bus.attach('sender'), { txId: 0x7e0, rxId: 0x7e8, nBsMs: TIMEOUT_MS });
    const receiver = bus.attach('receiver');
    closers.push(
      () => sender.close(),
      () => receiver.close(),
    );
    const seen: CanFrame[] = [];
    receiver.subscribe([{ id: 0x7e0, mask: 0x7ff }], (f) => {
      seen.push(f);
      if (seen.length !== 1) return;
      stallNow(3 * TIMEOUT_MS, () =>
        receiver.send({ id: 0x7e8, extended: false, fd: false, data: Uint8Array.of(0x30, 0, 0) }),
      );
    });
    await sender.send(Uint8Array.from({ length: 20 }, (_, i) => i));
    expect(seen.map((f) => f.data[0]! >> 4)).toEqual([1, 2, 2]);
  });
});
