import { describe, expect, it } from 'vitest';
import { compareDeb, compareGeneric, compareSemver } from './versions.ts';
import type { Compare } from './versions.ts';

const sign = (cmp: Compare, a: string, b: string) => Math.sign(cmp(a, b));

describe('Debian version order (deb-version(7))', () => {
  it.each([
    // epochs dominate everything after them
    ['1:1.0', '2.0', 1],
    ['0:1.0', '1.0', 0],
    // ~ sorts before anything, even the end of the string
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~rc1-1', '1.0-1', -1],
    // the Debian security-update suffixes
    ['3.0.11-1~deb12u2', '3.0.11-1', -1],
    ['3.0.11-1~deb12u2', '3.0.11-1~deb12u1', 1],
    ['2.36.1-8+deb11u1', '2.36.1-8', 1],
    ['2.36.1-8+deb11u2', '2.36.1-8+deb11u10', -1],
    ['1.2.3+dfsg-1', '1.2.3-1', 1],
    // letters sort before non-letters, numbers numerically
    ['1.0a', '1.0+', -1],
    ['1.10', '1.9', 1],
    ['1.0-10', '1.0-9', 1],
    // no revision is like an empty one
    ['1.0', '1.0-0', 0],
    ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1],
  ])('%s vs %s -> %d', (a, b, expected) => {
    expect(sign(compareDeb, a, b)).toBe(expected);
    expect(sign(compareDeb, b, a)).toBe(-expected || 0);
  });
});

describe('semver order', () => {
  it.each([
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-rc.1', '1.0.0-beta.11', 1],
    ['1.10.0', '1.9.0', 1],
    ['v1.2.3', '1.2.3', 0],
    ['1.2.3+build.5', '1.2.3', 0],
  ])('%s vs %s -> %d', (a, b, expected) => {
    expect(sign(compareSemver, a, b)).toBe(expected);
  });
});

describe('generic order', () => {
  it.each([
    ['1.2.10', '1.2.9', 1],
    ['1.2', '1.2.0.1', -1],
    ['1.2rc1', '1.2', -1],
    ['1.2.1', '1.2rc1', 1],
    ['2024.01', '2023.12', 1],
    ['1.0', '1.0', 0],
    ['1_0', '1.0', 0],
  ])('%s vs %s -> %d', (a, b, expected) => {
    expect(sign(compareGeneric, a, b)).toBe(expected);
  });
});
