// P2client measures the server's silence, not the tester process's own stall: when the host stops the process
// for longer than P2client while the response already waits to be read, the response wins.
import { describe, expect, it } from 'vitest';
import { hexOf, stallNext } from '../isotp/test-helpers.ts';
import { UdsTimeoutError } from './errors.ts';
import { testerAndRawEcu } from './test-helpers.ts';

/** Longer than a loaded host delays a loop turn, so P2client expires in the stall, not before it. */
const P2_CLIENT_MS = 150;

describe('P2client in a stalled tester process', () => {
  it('does not expire when the response arrived during the stall', async () => {
    const { client, sendAsEcu, ecuFrames } = testerAndRawEcu(1000, {
      initialTiming: { p2ServerMs: 10, p2StarServerMs: 100 },
      timingMarginMs: P2_CLIENT_MS - 10,
    });
    // The ECU answers at once, then the tester's process stalls (it starts after the request left, so P2
    // runs): the answer is on the bus before P2client is over, but read only after it.
    ecuFrames(() => stallNext(3 * P2_CLIENT_MS, () => sendAsEcu('0462F19041')));
    expect(hexOf((await client.request(Uint8Array.of(0x22, 0xf1, 0x90)))!)).toBe('62F19041');
  });

  it('still expires when the server does not answer', async () => {
    const { client } = testerAndRawEcu(1000, {
      initialTiming: { p2ServerMs: 10, p2StarServerMs: 100 },
      timingMarginMs: P2_CLIENT_MS - 10,
    });
    await expect(client.request(Uint8Array.of(0x22, 0xf1, 0x90))).rejects.toBeInstanceOf(UdsTimeoutError);
  });
});
