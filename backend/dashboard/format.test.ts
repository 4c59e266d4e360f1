import { describe, expect, it } from 'vitest';
import { formatTime, humanize, percent, timeLeft } from './format.ts';

describe('dashboard formatting', () => {
  const now = new Date('2025-03-10T12:00:00Z');

  it('says how long is left, in the largest whole unit', () => {
    expect(timeLeft('2025-03-22T13:00:00Z', now)).toMatchObject({ overdue: false, text: '12 days left' });
    expect(timeLeft('2025-03-10T13:30:00Z', now)).toMatchObject({ overdue: false, text: '1 hour left' });
    expect(timeLeft('2025-03-10T12:00:20Z', now)).toMatchObject({ overdue: false, text: '1 minute left' });
  });

  it('marks a passed deadline as overdue', () => {
    expect(timeLeft('2025-03-07T11:00:00Z', now)).toMatchObject({ overdue: true, text: '3 days overdue' });
  });

  it('formats times in UTC and percentages without false precision', () => {
    expect(formatTime(now)).toBe('2025-03-10 12:00 UTC');
    expect(formatTime(null)).toBe('—');
    expect(percent(1, 3)).toBe('33 %');
    expect(percent(1, 200)).toBe('0.5 %');
    expect(percent(0, 0)).toBe('0 %');
    expect(humanize('pending_approval')).toBe('pending approval');
  });
});
