import { describe, expect, it } from 'vitest';
import { deadlinePassed, waveVerdict } from './wave-rules.ts';
import type { WaveConfig, WaveCounts, WaveVerdict } from './wave-rules.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const minutesBefore = (m: number) => new Date(NOW.getTime() - m * 60_000);

const wave = (over: Partial<WaveConfig> = {}): WaveConfig => ({
  waveNo: 2,
  isLast: false,
  successThreshold: 0.95,
  errorThreshold: 0.05,
  soakMinutes: 60,
  successReachedAt: null,
  ...over,
});
const counts = (total: number, succeeded: number, failed: number, activeInCampaign = 0): WaveCounts => ({
  total,
  succeeded,
  failed,
  activeInCampaign,
});

describe('waveVerdict', () => {
  const cases: [string, WaveCounts, WaveConfig, WaveVerdict][] = [
    [
      'failure rate above the error threshold pauses',
      counts(100, 90, 6, 4),
      wave(),
      { verdict: 'pause', waveNo: 2, failureRate: 0.06, errorThreshold: 0.05, failed: 6, total: 100 },
    ],
    [
      'failure rate exactly at the error threshold does not pause',
      counts(100, 95, 5),
      wave(),
      { verdict: 'soak', waveNo: 2, successRate: 0.95 },
    ],
    [
      'failures pause the last wave too, before completing',
      counts(10, 8, 2),
      wave({ isLast: true }),
      { verdict: 'pause', waveNo: 2, failureRate: 0.2, errorThreshold: 0.05, failed: 2, total: 10 },
    ],
    [
      'success rate below the threshold waits',
      counts(100, 94, 0, 6),
      wave(),
      { verdict: 'wait', reason: 'wave 2 at 94.0 % success' },
    ],
    [
      'success rate exactly at the threshold, first time, starts the soak',
      counts(100, 95, 0, 5),
      wave(),
      { verdict: 'soak', waveNo: 2, successRate: 0.95 },
    ],
    [
      'at the threshold with no soak time advances at once, recording the success',
      counts(20, 20, 0),
      wave({ soakMinutes: 0 }),
      { verdict: 'advance', fromWave: 2, toWave: 3, successRate: 1 },
    ],
    [
      'soak not yet over waits (one minute left)',
      counts(100, 100, 0),
      wave({ successReachedAt: minutesBefore(59) }),
      { verdict: 'wait', reason: 'wave 2 soaking until 2026-12-05T12:01:00.000Z' },
    ],
    [
      'soak one millisecond short waits',
      counts(100, 100, 0),
      wave({ successReachedAt: new Date(minutesBefore(60).getTime() + 1) }),
      { verdict: 'wait', reason: 'wave 2 soaking until 2026-12-05T12:00:00.001Z' },
    ],
    [
      'soak just elapsed advances without recording the success again',
      counts(100, 100, 0),
      wave({ successReachedAt: minutesBefore(60) }),
      { verdict: 'advance', fromWave: 2, toWave: 3, successRate: null },
    ],
    [
      'an empty wave is a full success and a zero failure rate',
      counts(0, 0, 0, 3),
      wave(),
      { verdict: 'soak', waveNo: 2, successRate: 1 },
    ],
    [
      'the last wave with vehicles still active in the campaign waits',
      counts(50, 50, 0, 1),
      wave({ isLast: true }),
      { verdict: 'wait', reason: 'last wave 2 still has vehicles in progress' },
    ],
    [
      'the last wave completes once every vehicle is final, whatever its success rate',
      counts(50, 48, 2),
      wave({ isLast: true, errorThreshold: 0.05 }),
      { verdict: 'complete', waveNo: 2, successRate: 0.96 },
    ],
    [
      'an empty last wave of a campaign with no active vehicle completes',
      counts(0, 0, 0),
      wave({ isLast: true }),
      { verdict: 'complete', waveNo: 2, successRate: 1 },
    ],
  ];
  it.each(cases)('%s', (_name, c, w, expected) => {
    expect(waveVerdict(c, w, NOW)).toEqual(expected);
  });
});

describe('deadlinePassed', () => {
  it('is false without a deadline, at the deadline itself, and true one millisecond after', () => {
    expect(deadlinePassed(null, NOW)).toBe(false);
    expect(deadlinePassed(NOW, NOW)).toBe(false);
    expect(deadlinePassed(new Date(NOW.getTime() - 1), NOW)).toBe(true);
    expect(deadlinePassed(new Date(NOW.getTime() + 1), NOW)).toBe(false);
  });
});
