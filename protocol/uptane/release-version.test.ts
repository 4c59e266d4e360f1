import { describe, expect, it } from 'vitest';
import { compareReleaseVersions } from './release-version.ts';

describe('compareReleaseVersions', () => {
  it.each([
    ['1.2.0', '1.10.0'],
    ['1.2', '1.2.1'],
    ['1.2.0-rc.1', '1.2.0'],
    ['1.2.0-alpha', '1.2.0-beta'],
    ['1.2.0-rc.2', '1.2.0-rc.10'],
    ['1.2.0-rc', '1.2.0-rc.1'],
    ['2024.03', '2024.10'],
    ['1.9.9', 'v2'],
  ])('%s < %s', (older, newer) => {
    expect(compareReleaseVersions(older, newer)).toBe(-1);
    expect(compareReleaseVersions(newer, older)).toBe(1);
  });

  it.each([
    ['1.2', '1.2.0'],
    ['1.2.0+build.5', '1.2.0+build.7'],
    ['01.2', '1.2'],
  ])('%s == %s', (a, b) => {
    expect(compareReleaseVersions(a, b)).toBe(0);
  });
});
