import { describe, expect, it } from 'vitest';
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
    const sender = new UntilStored(async (kind) => void sent.push(kind), { minMs: 10, maxMs: 20 });
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
});
