import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, nrcLabel } from './format.ts';
import { describeTargets } from './target-words.ts';

describe('campaign facts in words', () => {
  it('says each target condition in a sentence', () => {
    expect(describeTargets({})).toEqual(['Every active vehicle that needs the releases']);
    expect(
      describeTargets({
        modelIds: ['sedan-x', 'suv'],
        modelYears: { from: 2020, to: 2023 },
        regions: ['EU'],
        hardwareIds: ['BCM-HW-7'],
        currentVersions: ['4.1.0'],
        tags: ['pilot'],
        vins: ['A', 'B', 'C', 'D', 'E', 'F', 'G'],
      }),
    ).toEqual([
      'Models: sedan-x, suv',
      'Model years 2020 to 2023',
      'Regions: EU',
      'ECUs with hardware id BCM-HW-7',
      'Now running 4.1.0',
      'Tagged pilot',
      'Only the VINs A, B, C, D, E and 2 more',
    ]);
    expect(describeTargets({ modelYears: { from: 2021 } })).toEqual(['Model year 2021 or later']);
    expect(describeTargets({ modelYears: { to: 2019 } })).toEqual(['Model year 2019 or earlier']);
  });

  it('names NRCs by ISO 14229-1 and sizes and durations with units', () => {
    expect(nrcLabel('0x72')).toBe('0x72 generalProgrammingFailure');
    expect(nrcLabel('0x33')).toBe('0x33 securityAccessDenied');
    expect(nrcLabel(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4096)).toBe('4.0 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
  });
});
