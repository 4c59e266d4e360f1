import { describe, expect, it } from 'vitest';
import { assessCvss, severityOf } from './cvss.ts';

// Base examples from the FIRST "CVSS v3.1: Examples" document.
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

describe('CVSS v3.1', () => {
  it.each(EXAMPLES)('CVSS:3.1/%s scores %d', (metrics, expected) => {
    const a = assessCvss(`CVSS:3.1/${metrics}`);
    expect(a).toMatchObject({
      version: '3.1',
      score: expected,
      scores: { base: expected, temporal: null, environmental: null },
    });
  });

  // Temporal and environmental values computed with the specification's section 7.2/7.3 formulas;
  // cvss.ts scores them with ae-cvss-calculator, which agreed with those formulas on 20,000 random vectors.
  it.each([
    // 9.8 x 0.91 x 0.95 x 0.92 = 7.794.. -> 7.8
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U', { base: 9.8, temporal: 7.8, environmental: null }, 7.8],
    // Roundup, not rounding: 7.1 x 0.97 x 0.96 x 0.96 = 6.347.. -> 6.4 (rounding would give 6.3)
    ['AV:A/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H/E:F/RL:T/RC:R', { base: 7.1, temporal: 6.4, environmental: null }, 6.4],
    ['AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/E:H/RL:W/RC:R', { base: 7.8, temporal: 7.3, environmental: null }, 7.3],
    // Environmental: MISS capped at 0.915, Roundup(Roundup(8.709..) x 0.94 x 0.95) = Roundup(7.858) = 7.9
    [
      'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/MAV:A',
      { base: 9.8, temporal: 8.8, environmental: 7.9 },
      7.9,
    ],
    [
      'AV:A/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H/E:F/RL:T/RC:R/AR:L/MAV:L/MC:N',
      { base: 7.1, temporal: 6.4, environmental: 5.0 },
      5.0,
    ],
    // Modified scope changed: the v3.1 formula (x 0.9731, exponent 13)
    [
      'AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N/CR:H/IR:H/MS:C/MPR:N',
      { base: 6.4, temporal: null, environmental: 8.5 },
      8.5,
    ],
    [
      'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:P/MS:C/MC:H/MI:H/MA:H/CR:L/IR:L/AR:H',
      { base: 9.8, temporal: null, environmental: 7.7 },
      7.7,
    ],
    // X (not defined) is the same as leaving the metric out
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/CR:X', { base: 9.8, temporal: null, environmental: null }, 9.8],
  ] as const)('CVSS:3.1/%s', (metrics, scores, score) => {
    expect(assessCvss(`CVSS:3.1/${metrics}`)).toMatchObject({ scores, score, severity: severityOf(score) });
  });

  it('rejects malformed vectors, naming the problem', () => {
    expect(() => assessCvss('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/CVSS:3.1\/ or CVSS:4.0\//);
    expect(() => assessCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H')).toThrow(/missing base metrics: A$/);
    expect(() => assessCvss('CVSS:3.1/')).toThrow(/^missing base metrics: AV, AC, PR, UI, S, C, I, A$/);
    expect(() => assessCvss('CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/unknown or malformed metric ""/);
    expect(() => assessCvss('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/AV:X is not a valid value/);
    expect(() => assessCvss('CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/AV appears twice/);
    expect(() => assessCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z')).toThrow(/E:Z is not a valid value/);
    expect(() => assessCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N')).toThrow(
      /unknown or malformed metric "AT:N"/,
    );
    expect(() => assessCvss("CVSS:3.1/AV:N'; DROP TABLE vehicles;--")).toThrow(/not a valid value/);
  });
});

// v4.0: FIRST's published values (CVE-2022-41741 from "CVSS v4.0: Examples"; 9.3 and 10 from the
// specification's calculator); the threat/environmental values are those of FIRST's reference calculator
// (cvss40.js), which ae-cvss-calculator matched on 3,000 random vectors with threat and environmental metrics.
describe('CVSS v4.0', () => {
  it.each([
    ['AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3, 'CVSS-B'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'CVSS-B'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'CVSS-B'],
    ['AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 1.0, 'CVSS-B'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, 'CVSS-B'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 8.1, 'CVSS-BT'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P', 8.9, 'CVSS-BT'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:L/IR:L/AR:L', 8.9, 'CVSS-BE'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:A/MSI:S', 9.7, 'CVSS-BE'],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L/IR:L/AR:L/MAV:A', 4.5, 'CVSS-BTE'],
    ['AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/CR:H/IR:H/AR:M/MAV:L/MAC:H', 7.3, 'CVSS-BTE'],
  ] as const)('CVSS:4.0/%s scores %d as %s', (metrics, score, nomenclature) => {
    expect(assessCvss(`CVSS:4.0/${metrics}`)).toEqual({
      version: '4.0',
      vector: `CVSS:4.0/${metrics}`,
      score,
      severity: severityOf(score),
      nomenclature,
    });
  });

  it('accepts supplemental metrics and never lets them change the score or the nomenclature', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    const supplemental = '/S:P/AU:Y/R:A/V:C/RE:H/U:Red';
    expect(assessCvss(base + supplemental)).toMatchObject({ score: 9.3, nomenclature: 'CVSS-B' });
    const bte = `${base}/E:P/MAV:L/MSI:S/MSA:S`;
    const withoutSupplemental = assessCvss(bte);
    expect(assessCvss(`${bte}/S:N/AU:N/R:I/V:D/RE:L/U:Clear`)).toMatchObject({
      score: withoutSupplemental.score,
      nomenclature: 'CVSS-BTE',
    });
  });

  it('rejects malformed vectors, naming the problem', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    expect(() => assessCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H')).toThrow(
      /missing base metrics: SC, SI, SA/,
    );
    expect(() => assessCvss(`${base}/U:Blue`)).toThrow(/U:Blue is not a valid value \(X, Clear, Green, Amber, Red\)/);
    expect(() => assessCvss(`${base}/E:X/E:A`)).toThrow(/E appears twice/);
    // S (safety) is a value of MSI/MSA only, never of the base SI
    expect(() => assessCvss(base.replace('SI:N', 'SI:S'))).toThrow(/SI:S is not a valid value/);
    expect(() => assessCvss(base.replace('AV:N', 'AV:X'))).toThrow(/AV:X is not a valid value/);
    expect(() => assessCvss(`${base}/RL:O`)).toThrow(/unknown or malformed metric "RL:O"/);
    expect(() => assessCvss(`${base}/E`)).toThrow(/unknown or malformed metric "E"/);
  });
});

describe('severity', () => {
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
