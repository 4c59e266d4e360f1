// The gateway's and fleet simulator's broker connection in their logs, against a real Mosquitto stopped and
// started again: the loss is one line, failed attempts while it is down are not one line each, and the
// return names how many attempts it took.
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../../test/support/mosquitto.ts';
import { reconnectWithBackoff } from './reconnect-backoff.ts';

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('reconnectWithBackoff log', () => {
  it(
    'logs the loss once, not each failed attempt, and the return with its attempt count',
    { timeout: 120_000 },
    async () => {
      const broker = await startMosquitto({ persistence: false, why: 'the reconnect log test' });
      const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100 });
      const lines: string[] = [];
      reconnectWithBackoff(client, 'gateway TESTVIN', { minMs: 50, maxMs: 200, log: (l) => lines.push(l) });
      let attempts = 0;
      client.on('reconnect', () => attempts++);
      try {
        await broker.stop();
        await until(() => attempts >= 4, 60_000, 'four reconnect attempts');
        await broker.start();
        await until(() => lines.some((l) => l.includes('reconnected')), 60_000, 'reconnected line');
        expect(lines.filter((l) => /connection lost/.test(l))).toEqual([
          'mqtt: gateway TESTVIN: connection lost; reconnecting',
        ]);
        expect(lines.filter((l) => /ECONNREFUSED/.test(l)).length).toBeLessThanOrEqual(1);
        expect(lines.at(-1)).toMatch(
          /^mqtt: gateway TESTVIN reconnected after ([4-9]|\d\d+) attempt\(s\) \(reconnect #1\)$/,
        );
      } finally {
        await client.endAsync(true);
        await broker.close();
      }
    },
  );
});
