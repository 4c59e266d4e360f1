import { describe, expect, it } from 'vitest';
import { formatPretty, LogSink } from './log-lines.ts';

function sink(pretty = false) {
  const out: string[] = [];
  let now = 1_000_000;
  const s = new LogSink({ write: (t) => out.push(t), pretty, windowMs: 10_000, now: () => now });
  const line = (level: number, msg: string, extra: Record<string, unknown> = {}) =>
    s.write(`${JSON.stringify({ level, time: now, component: 'delivery', msg, ...extra })}\n`);
  return { s, out, line, advance: (ms: number) => (now += ms) };
}

describe('LogSink', () => {
  it('writes one error of identical ones, other lines between them, then the count when the window ends', () => {
    const { s, out, line, advance } = sink();
    for (let i = 0; i < 45; i++) {
      line(50, 'dispatch failed', { err: { type: 'Error', message: 'connection refused' } });
      line(30, 'request');
      advance(200);
    }
    const msgs = () => out.map((o) => (JSON.parse(o) as { msg: string }).msg);
    expect(msgs().filter((m) => m.startsWith('dispatch failed'))).toEqual(['dispatch failed']);
    expect(msgs().filter((m) => m === 'request')).toHaveLength(45);
    advance(1_000);
    s.flush(false);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({
      level: 50,
      msg: 'dispatch failed (repeated 44 more times in 10 s)',
      repeated: 44,
    });
  });

  it('writes the count at least once per window while the error keeps repeating', () => {
    const { out, line, advance } = sink();
    for (let i = 0; i < 30; i++) {
      line(50, 'dispatch failed');
      advance(1_000);
    }
    expect(out.length).toBeGreaterThanOrEqual(4);
    expect(out.length).toBeLessThanOrEqual(6);
    expect(out.some((o) => /repeated \d+ more times/.test(o))).toBe(true);
  });

  it('keeps different errors and every info line', () => {
    const { out, line } = sink();
    line(50, 'a');
    line(50, 'b');
    line(30, 'request');
    line(30, 'request');
    expect(out.map((o) => (JSON.parse(o) as { msg: string }).msg)).toEqual(['a', 'b', 'request', 'request']);
  });

  it("writes a child logger's component once, replacing its parent's", () => {
    const out: string[] = [];
    new LogSink({ write: (t) => out.push(t), pretty: false }).write(
      '{"level":30,"time":1,"component":"backend","component":"mqtt","msg":"m"}\n',
    );
    expect(out).toEqual(['{"level":30,"time":1,"component":"mqtt","msg":"m"}\n']);
  });

  it('formats short lines for people', () => {
    expect(
      formatPretty({
        level: 40,
        time: Date.UTC(2026, 0, 1, 12, 0, 0, 5),
        component: 'mqtt',
        msg: 'broker connection lost',
        broker: 'mqtt://h:1883',
        pid: 1,
      }),
    ).toBe('12:00:00.005 WARN  [mqtt] broker connection lost broker=mqtt://h:1883\n');
  });
});
