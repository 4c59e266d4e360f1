import { afterEach, describe, expect, it } from 'vitest';
import { stopOnSignals } from './shutdown.ts';

describe('stopOnSignals', () => {
  let remove: (() => void) | undefined;
  afterEach(() => remove?.());

  function install(stop: () => Promise<void>, timeoutMs = 10_000, repeatWindowMs = 1_000) {
    const exits: number[] = [];
    const lines: string[] = [];
    let exited: (code: number) => void = () => {};
    const exitedOnce = new Promise<number>((resolve) => (exited = resolve));
    remove = stopOnSignals(stop, {
      timeoutMs,
      repeatWindowMs,
      log: (line) => lines.push(line),
      exit: (code) => {
        exits.push(code);
        exited(code);
      },
    });
    return { exits, lines, exitedOnce };
  }

  it('stops once and exits 0, ignoring the duplicate that npm forwards', async () => {
    let stops = 0;
    const { exits, exitedOnce } = install(async () => {
      stops++;
    });
    process.emit('SIGINT');
    process.emit('SIGINT'); // the terminal's Ctrl-C and npm's forwarded copy
    expect(await exitedOnce).toBe(0);
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when the stop fails, naming why', async () => {
    const { lines, exitedOnce } = install(() => Promise.reject(new Error('database gone')));
    process.emit('SIGTERM');
    expect(await exitedOnce).toBe(1);
    expect(lines).toContain('stop failed: database gone');
  });

  it('exits 1 when the stop takes longer than its timeout', async () => {
    const { lines, exitedOnce } = install(() => new Promise<void>(() => {}), 50);
    process.emit('SIGTERM');
    expect(await exitedOnce).toBe(1);
    expect(lines.at(-1)).toMatch(/did not finish within 0.05 s/);
  });

  it('exits 1 at once on a second signal after the repeat window, without waiting for the stop', async () => {
    const { exits, lines, exitedOnce } = install(() => new Promise<void>(() => {}), 10_000, 0);
    process.emit('SIGINT');
    await new Promise((r) => setImmediate(r));
    process.emit('SIGINT');
    expect(await exitedOnce).toBe(1);
    expect(exits).toEqual([1]);
    expect(lines).toContain('SIGINT again: exiting without waiting');
  });
});
