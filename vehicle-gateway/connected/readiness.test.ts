import { describe, expect, it } from 'vitest';
import type { PreconditionCheck } from '../flash/preconditions.ts';
import { waitUntilReady } from './readiness.ts';

const blocked: PreconditionCheck = { ok: false, reasons: ['vehicle speed is not zero'] };
const ok: PreconditionCheck = { ok: true };

describe('waitUntilReady', () => {
  it('polls the ECUs until every precondition holds', async () => {
    const answers = [blocked, blocked, ok];
    const log: string[] = [];
    let checks = 0;
    const ready = await waitUntilReady(undefined, async () => [{ ecu: 'ecm', result: answers[checks++] ?? ok }], {
      pollMs: 1,
      until: null,
      now: () => new Date(),
      log: (l) => log.push(l),
    });
    expect(ready).toBe(true);
    expect(checks).toBe(3);
    expect(log[0]).toBe('waiting: ecm: vehicle speed is not zero');
  });

  it('does not ask the ECUs outside the install window, and gives up at the deadline', async () => {
    let now = new Date(2026, 0, 1, 12, 0);
    let checks = 0;
    const ready = await waitUntilReady(
      { start: '01:00', end: '05:00' },
      async () => {
        checks++;
        return [];
      },
      {
        pollMs: 1,
        until: new Date(2026, 0, 1, 12, 5),
        now: () => {
          now = new Date(now.getTime() + 60_000);
          return now;
        },
        log: () => undefined,
      },
    );
    expect(ready).toBe(false);
    expect(checks).toBe(0);
  });
});
