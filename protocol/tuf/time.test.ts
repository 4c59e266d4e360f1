import { describe, expect, it } from 'vitest';
import { formatExpires, parseExpires } from './time.ts';

describe('expires', () => {
  it('formats whole UTC seconds', () => {
    expect(formatExpires(new Date('2030-01-02T03:04:05.678Z'))).toBe('2030-01-02T03:04:05Z');
  });

  it('parses exactly YYYY-MM-DDTHH:MM:SSZ', () => {
    expect(parseExpires('2030-01-02T03:04:05Z')?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    for (const bad of [
      '2030-01-02T03:04:05.000Z',
      '2030-01-02T03:04:05+00:00',
      '2030-02-30T00:00:00Z',
      '1893456000',
      '',
    ]) {
      expect(parseExpires(bad), bad).toBeUndefined();
    }
  });
});
