// ISO 14229-1: a client answered 0x21 busyRepeatRequest repeats the request; a bounded number of times.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../isotp/test-helpers.ts';
import { NRC, NegativeResponseError } from '../nrc.ts';
import { testerAndRawEcu } from './test-helpers.ts';

const requestsSent = (frames: { id: number; data: Uint8Array }[]): number =>
  frames.filter((f) => f.id === 0x7e0 && f.data[1] === 0x22).length;

describe('UdsClient and 0x21 busyRepeatRequest', () => {
  it('repeats a request answered busy and resolves with the answer to the repetition', async () => {
    const { frames, physical, client, sendAsEcu } = testerAndRawEcu(1000, { busyRepeatDelayMs: 10 });
    try {
      const answer = client.readDataByIdentifier(0xf18c);
      await waitFor(() => requestsSent(frames) === 1, 'the request');
      await sendAsEcu('03 7F 22 21 CC CC CC CC');
      await waitFor(() => requestsSent(frames) === 2, 'the repetition');
      await sendAsEcu('07 62 F1 8C 53 4E 2D 31');
      expect(Buffer.from(await answer).toString()).toBe('SN-1');
    } finally {
      await client.close();
      await physical.close();
    }
  });

  it('gives up with the busy NRC after busyRepeats repetitions', async () => {
    const { frames, physical, client, sendAsEcu } = testerAndRawEcu(1000, { busyRepeats: 2, busyRepeatDelayMs: 10 });
    try {
      const outcome = client.readDataByIdentifier(0xf18c).then(
        () => null,
        (err: unknown) => err,
      );
      for (let n = 1; n <= 3; n++) {
        await waitFor(() => requestsSent(frames) === n, `request ${n}`);
        await sendAsEcu('03 7F 22 21 CC CC CC CC');
      }
      const err = await outcome;
      expect(err).toBeInstanceOf(NegativeResponseError);
      expect((err as NegativeResponseError).nrc).toBe(NRC.busyRepeatRequest);
      expect(requestsSent(frames)).toBe(3);
    } finally {
      await client.close();
      await physical.close();
    }
  });
});
