import cvssCalculator from 'ae-cvss-calculator';
import { describe, expect, it } from 'vitest';
import { assessCvss } from './cvss.ts';
import { cvss31BaseScore, parseCvss31, roundup, severityOf } from './cvss31.ts';
import type { Cvss31Base } from './cvss31.ts';

// Examples from the brief and the FIRST "CVSS v3.1: Examples" document.
const EXAMPLES: [string, number][] = [
  ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], // CVE-2014-6271 Shellshock
  ['AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
  ['AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
  ['AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1], // CVE-2014-3566 POODLE
  ['AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // CVE-2013-1937 phpMyAdmin XSS
  ['AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4], // CVE-2013-0375 MySQL
  ['AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9], // CVE-2012-1516 VMware
  ['AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2], // CVE-2009-0783 Tomcat
  ['AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8], // CVE-2012-0384 Cisco IOS
  ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5], // CVE-2014-0160 Heartbleed
  ['AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 4.6], // CVE-2015-2890 Seagate
  ['AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
];

describe('CVSS v3.1 base score', () => {
  it.each(EXAMPLES)('CVSS:3.1/%s scores %d', (metrics, expected) => {
    expect(cvss31BaseScore(parseCvss31(`CVSS:3.1/${metrics}`))).toBe(expected);
  });

  it('Roundup works on integers so floating-point noise does not round up', () => {
    expect(roundup(4.000000000000001)).toBe(4.0);
    expect(roundup(4.02)).toBe(4.1);
    expect(roundup(9.999999)).toBe(10.0);
  });

  it('agrees with ae-cvss-calculator on all 2592 base vectors', () => {
    const values: Record<keyof Cvss31Base, string[]> = {
      AV: ['N', 'A', 'L', 'P'],
      AC: ['L', 'H'],
      PR: ['N', 'L', 'H'],
      UI: ['N', 'R'],
      S: ['U', 'C'],
      C: ['H', 'L', 'N'],
      I: ['H', 'L', 'N'],
      A: ['H', 'L', 'N'],
    };
    let vectors = [''];
    for (const [metric, options] of Object.entries(values)) {
      vectors = vectors.flatMap((v) => options.map((o) => `${v}/${metric}:${o}`));
    }
    expect(vectors).toHaveLength(2592);
    const disagreements = vectors.filter((v) => {
      const ours = cvss31BaseScore(parseCvss31(`CVSS:3.1${v}`));
      const theirs = new cvssCalculator.Cvss3P1(`CVSS:3.1${v}`).calculateScores().base;
      return ours !== theirs;
    });
    expect(disagreements).toEqual([]);
  });

  it('rejects malformed vectors, naming the problem', () => {
    expect(() => parseCvss31('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/CVSS:3.1/);
    expect(() => parseCvss31('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H')).toThrow(/missing base metrics: A/);
    expect(() => parseCvss31('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/AV:X/);
    expect(() => parseCvss31('CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/twice/);
    expect(() => parseCvss31("CVSS:3.1/AV:N'; DROP TABLE vehicles;--")).toThrow(/not a valid value/);
  });

  it('maps scores to the qualitative scale', () => {
    expect([0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10].map(severityOf)).toEqual([
      'none',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });
});

describe('assessCvss', () => {
  it('scores v3.1 with the own formula and v4.0 with the library', () => {
    expect(assessCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({
      version: '3.1',
      score: 9.8,
      severity: 'critical',
    });
    // Published v4.0 score for this vector: 9.3.
    expect(assessCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toMatchObject({
      version: '4.0',
      score: 9.3,
      severity: 'critical',
    });
  });
  it('rejects an incomplete v4.0 vector and an unknown version', () => {
    expect(() => assessCvss('CVSS:4.0/AV:N')).toThrow(/missing base metrics/);
    expect(() => assessCvss('AV:N/AC:L')).toThrow(/CVSS:3.1\/ or CVSS:4.0\//);
  });
});
