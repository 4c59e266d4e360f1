import { describe, expect, it } from 'vitest';
import { parseVers, versContains, VersError } from './vers.ts';

const inRange = (range: string, version: string) => versContains(parseVers(range), version);

describe('vers ranges (purl VERSION-RANGE-SPEC)', () => {
  it.each([
    ['vers:semver/>=1.0.0|<1.2.3', '1.0.0', true],
    ['vers:semver/>=1.0.0|<1.2.3', '1.2.2', true],
    ['vers:semver/>=1.0.0|<1.2.3', '1.2.3', false],
    ['vers:semver/>=1.0.0|<1.2.3', '0.9.9', false],
    // SemVer precedence: a pre-release is below its release, and 1.10.0 above 1.9.0
    ['vers:semver/>=1.0.0|<1.2.3', '1.2.3-rc.1', true],
    ['vers:npm/<1.10.0', '1.9.0', true],
    // constraints may come in any order: they are sorted in the scheme's order before evaluation
    ['vers:semver/<1.10.0|>=1.9.0', '1.9.5', true],
    // two disjoint intervals and single versions
    ['vers:semver/>=1.0.0|<1.1.0|>=2.0.0|<2.0.5', '1.5.0', false],
    ['vers:semver/>=1.0.0|<1.1.0|>=2.0.0|<2.0.5', '2.0.4', true],
    ['vers:semver/1.5.0|>=2.0.0', '1.5.0', true],
    ['vers:semver/>=1.0.0|!=1.0.3', '1.0.3', false],
    ['vers:semver/>=1.0.0|!=1.0.3', '1.0.4', true],
    ['vers:deb/!=1.0-1', '1.0-2', true],
    ['vers:deb/*', '0.1', true],
    // Debian order: ~deb12u2 sorts before the plain revision, +deb11u1 after it, epochs first
    ['vers:deb/>=3.0.0|<3.0.11-1~deb12u2', '3.0.11-1~deb12u1', true],
    ['vers:deb/>=3.0.0|<3.0.11-1~deb12u2', '3.0.11-1', false],
    ['vers:deb/<=2.36.1-8', '2.36.1-8+deb11u1', false],
    ['vers:deb/<2:1.0', '1:9.9', true],
    ['vers:deb/<1.10-1', '1.9-1', true],
    // generic: numbers compare as numbers
    ['vers:generic/>=1.36.0|<=1.36.1', '1.36.1', true],
    ['vers:generic/>=1.36.0|<=1.36.1', '1.36.10', false],
    ['vers:generic/>1.2|<1.4', '1.2', false],
    ['vers:generic/>1.2|<1.4', '1.3.9', true],
  ])('%s contains %s: %s', (range, version, expected) => {
    expect(inRange(range, version)).toBe(expected);
  });

  it('compares in the range scheme, not as text (a string compare gets each of these wrong)', () => {
    expect('3.0.11-1' < '3.0.11-1~deb12u2').toBe(true);
    expect(inRange('vers:deb/<3.0.11-1~deb12u2', '3.0.11-1')).toBe(false);
    expect('1.36.10' < '1.36.9').toBe(true);
    expect(inRange('vers:generic/<1.36.9', '1.36.10')).toBe(false);
  });

  it.each([
    ['>=1.0.0|<2.0.0', /is not a vers range/],
    ['vers:semver/', /is not a vers range/],
    ['vers:semver/>=|<2.0.0', /constraint ">=" names no version/],
    ['vers:semver/>=1.0.0|<=1.0.0', /version 1.0.0 appears twice/],
    ['vers:semver/>=1.0.0|<%E0%A4%A', /not a valid percent-encoded version/],
  ])('refuses %s', (range, message) => {
    expect(() => parseVers(range)).toThrow(VersError);
    expect(() => parseVers(range)).toThrow(message);
  });
});
