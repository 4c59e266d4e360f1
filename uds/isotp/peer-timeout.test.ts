import { describe, expect, it } from 'vitest';
import { PeerTimeout } from './peer-timeout.ts';
import { waitFor } from './test-helpers.ts';

describe('PeerTimeout (one deadline, one timer)', () => {
  it('a restart with a nearer deadline expires then, not at the far timer armed before', async () => {
    const t = new PeerTimeout();
    let expired = 0;
    t.start(60_000, () => expired--);
    t.start(20, () => expired++);
    await waitFor(() => expired !== 0, 'expiry', 10_000);
    expect(expired).toBe(1);
  });

  it('a restart pushes the expiry out; a cancel stops it; a start after the cancel expires again', async () => {
    const t = new PeerTimeout();
    const events: string[] = [];
    t.start(30, () => events.push('first'));
    t.start(60, () => events.push('second'));
    await waitFor(() => events.length > 0, 'expiry');
    expect(events).toEqual(['second']);
    t.start(20, () => events.push('cancelled'));
    t.cancel();
    t.start(40, () => events.push('third'));
    await waitFor(() => events.length > 1, 'expiry after the cancel');
    expect(events).toEqual(['second', 'third']);
  });
});
