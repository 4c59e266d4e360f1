// The requester when a transfer is cut off: the client closed while its request is still being sent, and a
// multi-frame answer the server stops sending half-way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IsoTpClosedError, IsoTpTimeoutError } from '../isotp/errors.ts';
import { settle, waitFor } from '../isotp/test-helpers.ts';
import { testerAndRawEcu } from './test-helpers.ts';

describe('UdsRequester when a transfer is cut off', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('closing the client while a multi-frame request is being sent leaves no unhandled rejection', async () => {
    const { frames, physical, client } = testerAndRawEcu();
    // Nobody answers the first frame with flow control: the request stays in transmission.
    const request = client.writeDataByIdentifier(0xf15a, new Uint8Array(40).fill(0x11));
    const outcome = request.then(
      () => null,
      (err: unknown) => err,
    );
    await waitFor(() => frames.some((f) => f.id === 0x7e0 && f.data[0] === 0x10), 'the first frame');
    await client.close();
    await physical.close();
    expect(await outcome).toBeInstanceOf(IsoTpClosedError);
    await settle(10);
    await new Promise((r) => setTimeout(r, 0));
    expect(unhandled).toEqual([]);
  });

  it('fails at N_Cr, naming the timeout, when the multi-frame answer stops half-way (not after P2*)', async () => {
    const { frames, physical, client, sendAsEcu } = testerAndRawEcu(150);
    const answer = client.readDataByIdentifier(0xf190).then(
      () => null,
      (err: unknown) => err,
    );
    await waitFor(() => frames.some((f) => f.id === 0x7e0), 'the request');
    // 62 F190 + 17 bytes of VIN = 20 bytes: first frame, flow control, then only one of the two consecutive frames.
    await sendAsEcu('10 14 62 F1 90 57 56 57');
    await waitFor(() => frames.some((f) => f.id === 0x7e0 && f.data[0] === 0x30), 'the flow control');
    await sendAsEcu('21 5A 5A 5A 31 4A 5A 58');
    const err = await answer;
    expect(err).toBeInstanceOf(IsoTpTimeoutError);
    expect((err as IsoTpTimeoutError).timer).toBe('N_Cr');
    expect((err as Error).message).toMatch(/N_Cr timeout after 150 ms/);
    // The client is free for the next request at once.
    const next = client.readDataByIdentifier(0xf18c);
    await waitFor(() => frames.filter((f) => f.id === 0x7e0 && f.data[0] === 0x03).length === 2, 'the next request');
    await sendAsEcu('07 62 F1 8C 53 4E 2D 31');
    expect(Buffer.from(await next).toString()).toBe('SN-1');
    await client.close();
    await physical.close();
  });
});
