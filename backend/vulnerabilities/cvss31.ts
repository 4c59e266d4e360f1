import type { Severity } from '../db/schema.ts';

// CVSS v3.1 base score, implemented from the FIRST specification (section 7.1 formulas, Appendix A
// Roundup), so the score the backend stores is exactly what the specification defines.

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;
// Privileges Required weighs more when the scope changes.
const PR_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 } as const;
const PR_CHANGED = { N: 0.85, L: 0.68, H: 0.5 } as const;

const METRIC_VALUES = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
} as const;
type Metric = keyof typeof METRIC_VALUES;
export type Cvss31Base = { [M in Metric]: (typeof METRIC_VALUES)[M][number] };

export class CvssVectorError extends Error {}

/** Parses `CVSS:3.1/AV:N/...`: every base metric exactly once, no unknown metrics. */
export function parseCvss31(vector: string): Cvss31Base {
  const [prefix, ...parts] = vector.split('/');
  if (prefix !== 'CVSS:3.1') throw new CvssVectorError('a CVSS v3.1 vector starts with CVSS:3.1/');
  const seen: Partial<Record<Metric, string>> = {};
  for (const part of parts) {
    const [name, value, extra] = part.split(':');
    if (name === undefined || value === undefined || extra !== undefined || !(name in METRIC_VALUES)) {
      throw new CvssVectorError(`unknown or malformed base metric "${part}"`);
    }
    const metric = name as Metric;
    if (seen[metric] !== undefined) throw new CvssVectorError(`metric ${metric} appears twice`);
    if (!(METRIC_VALUES[metric] as readonly string[]).includes(value)) {
      throw new CvssVectorError(`${metric}:${value} is not a valid value (${METRIC_VALUES[metric].join(', ')})`);
    }
    seen[metric] = value;
  }
  const missing = (Object.keys(METRIC_VALUES) as Metric[]).filter((m) => seen[m] === undefined);
  if (missing.length > 0) throw new CvssVectorError(`missing base metrics: ${missing.join(', ')}`);
  return seen as Cvss31Base;
}

/**
 * Appendix A: the smallest number, to one decimal place, that is equal to or higher than its
 * input, computed on integers so floating-point error cannot push 4.0 to 4.1.
 */
export function roundup(input: number): number {
  const intInput = Math.round(input * 100000);
  if (intInput % 10000 === 0) return intInput / 100000;
  return (Math.floor(intInput / 10000) + 1) / 10;
}

export function cvss31BaseScore(base: Cvss31Base): number {
  const changed = base.S === 'C';
  const iss = 1 - (1 - WEIGHTS.CIA[base.C]) * (1 - WEIGHTS.CIA[base.I]) * (1 - WEIGHTS.CIA[base.A]);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const pr = (changed ? PR_CHANGED : PR_UNCHANGED)[base.PR];
  const exploitability = 8.22 * WEIGHTS.AV[base.AV] * WEIGHTS.AC[base.AC] * pr * WEIGHTS.UI[base.UI];
  if (impact <= 0) return 0;
  return changed
    ? roundup(Math.min(1.08 * (impact + exploitability), 10))
    : roundup(Math.min(impact + exploitability, 10));
}

/** The qualitative rating scale (specification section 5); the same bands apply to v4.0. */
export function severityOf(score: number): Severity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}
