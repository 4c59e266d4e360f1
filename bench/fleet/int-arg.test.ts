import { describe, expect, it } from 'vitest';
import { intArg } from './int-arg.ts';

describe('intArg', () => {
  it('reads the value after the option, or the fallback', () => {
    expect(intArg(['--vehicles', '1000000'], '--vehicles', 10_000)).toBe(1_000_000);
    expect(intArg([], '--vehicles', 10_000)).toBe(10_000);
    expect(intArg(['--install-ms', '0'], '--install-ms', 5, 100, 0)).toBe(0);
  });

  it('refuses what is not a whole number in range, naming the option and the range', () => {
    expect(() => intArg(['--install-ms', '-1'], '--install-ms', 0, 100, 0)).toThrow(
      '--install-ms must be a whole number from 0 to 100, got -1',
    );
    expect(() => intArg(['--vehicles', '0'], '--vehicles', 10)).toThrow(
      '--vehicles must be a whole number of at least 1, got 0',
    );
    expect(() => intArg(['--vehicles', '1.5'], '--vehicles', 10, 20)).toThrow('from 1 to 20, got 1.5');
    expect(() => intArg(['--vehicles'], '--vehicles', 10)).toThrow('got undefined');
  });
});
