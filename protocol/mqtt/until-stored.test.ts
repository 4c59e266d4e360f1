import { afterEach, describe, expect, it, vi } from 'vitest';
import { manifestKey, resultKey, UntilStored } from './until-stored.ts';

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('UntilStored', () => {
  it('resends a result until the backend confirms it, then stops', async () => {
    const sent: string[] = [];
    const sender = new UntilStored(async (kind) => void sent.push(kind), { minMs: 10, ackedMs: 10, maxMs: 20 });
    const verdict = sender.send('result', resultKey('7', 'res-00000001'), new Uint8Array([1]));
    await until('two resends', () => sent.length >= 3);
    sender.confirm({ kind: 'result', campaignId: '7', resultId: 'res-00000001', status: 'stored' });
    expect(await verdict).toBe('stored');
    const count = sent.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(sent.length).toBe(count);
    expect(sender.pending).toBe(0);
  });

  it('keeps resending when publishing fails (broker down) and a newer manifest supersedes an older one', async () => {
    let fail = true;
    const sent: number[] = [];
    const sender = new UntilStored(
      async (_kind, payload) => {
        if (fail) throw new Error('client disconnecting');
        sent.push(payload[0]!);
      },
      { minMs: 10, maxMs: 20 },
    );
    const older = sender.send('manifest', manifestKey(1), new Uint8Array([1]));
    await new Promise((r) => setTimeout(r, 30));
    fail = false;
    await until('a resend after the broker is back', () => sent.includes(1));
    void sender.send('manifest', manifestKey(2), new Uint8Array([2]));
    expect(await older).toBe('stored');
    sender.confirm({ kind: 'manifest', counter: 2, status: 'rejected', reason: 'stale' });
    expect(sender.pending).toBe(0);
    sender.stop();
  });

  describe('resend delays', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    const key = resultKey('7', 'res-00000002');
    const payload = new Uint8Array([2]);

    it('waits ackedMs once the broker acknowledged, doubled per resend', async () => {
      vi.useFakeTimers();
      const sent: number[] = [];
      const sender = new UntilStored(async () => void sent.push(Date.now()), {
        minMs: 1000,
        ackedMs: 60_000,
        jitter: 0,
      });
      const start = Date.now();
      void sender.send('result', key, payload);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(sent.length).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(sent.map((t) => t - start)).toEqual([0, 60_000, 180_000]);
      sender.stop();
    });

    it('waits minMs while the broker has not acknowledged (publish failed or still waiting)', async () => {
      vi.useFakeTimers();
      const sent: number[] = [];
      let mode: 'fail' | 'hang' = 'fail';
      const sender = new UntilStored(
        (): Promise<void> => {
          sent.push(Date.now());
          return mode === 'fail' ? Promise.reject(new Error('client disconnecting')) : new Promise(() => {});
        },
        { minMs: 1000, ackedMs: 60_000, jitter: 0 },
      );
      const start = Date.now();
      void sender.send('result', key, payload);
      await vi.advanceTimersByTimeAsync(3000);
      mode = 'hang';
      await vi.advanceTimersByTimeAsync(4000);
      expect(sent.map((t) => t - start)).toEqual([0, 1000, 3000, 7000]);
      sender.stop();
    });

    it('spreads each delay by up to the jitter either way', async () => {
      for (const [random, expected] of [
        [0, 48_000],
        [0.5, 60_000],
        [0.75, 66_000],
      ] as const) {
        vi.useFakeTimers();
        const sent: number[] = [];
        const sender = new UntilStored(async () => void sent.push(Date.now()), { random: () => random });
        const start = Date.now();
        void sender.send('result', key, payload);
        await vi.advanceTimersByTimeAsync(expected - 1);
        expect([random, sent.length]).toEqual([random, 1]); // not before
        await vi.advanceTimersByTimeAsync(1);
        expect(sent.map((t) => t - start)).toEqual([0, expected]);
        sender.stop();
        vi.useRealTimers();
      }
    });

    it('refuses a jitter outside 0..1', () => {
      expect(() => new UntilStored(async () => {}, { jitter: 1.5 })).toThrow('jitter must be from 0 to 1, got 1.5');
    });
  });
});
