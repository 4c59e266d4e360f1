import cvssCalculator from 'ae-cvss-calculator';
import type { Severity } from './types.ts';

// One CVSS implementation: ae-cvss-calculator scores every version (checked against FIRST's v4.0
// reference calculator and the v3.1 specification's formulas in cvss.test.ts). The library scores
// whatever it is given, so this module rejects malformed vectors first, using the library's own
// metric tables, and names what is wrong.

export class CvssVectorError extends Error {}

export type CvssNomenclature = 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';

interface CvssCommon {
  vector: string;
  /** The score of everything the vector says (v3.1: environmental > temporal > base; v4.0: the one score). */
  score: number;
  severity: Severity;
}
export interface Cvss31Assessment extends CvssCommon {
  version: '3.1';
  scores: { base: number; temporal: number | null; environmental: number | null };
}
export interface Cvss40Assessment extends CvssCommon {
  version: '4.0';
  /** Which metric groups the score includes (v4.0 specification, section 1.3). */
  nomenclature: CvssNomenclature;
}
export type CvssAssessment = Cvss31Assessment | Cvss40Assessment;

type Vector = InstanceType<typeof cvssCalculator.Cvss3P1> | InstanceType<typeof cvssCalculator.Cvss4P0>;

/** Allowed values per metric, from the library's tables; base metrics take neither X nor v4.0's hidden S. */
function metricTable(vector: Vector): { base: Set<string>; allowed: Map<string, Set<string>> } {
  const base = new Set<string>();
  const allowed = new Map<string, Set<string>>();
  for (const [category, components] of vector.getRegisteredComponents()) {
    for (const component of components) {
      const isBase = category.name === 'base';
      if (isBase) base.add(component.shortName);
      const values = component.values.filter((v) => !isBase || (v.shortName !== 'X' && v.hide !== true));
      allowed.set(component.shortName, new Set(values.map((v) => v.shortName)));
    }
  }
  return { base, allowed };
}

export interface CvssMetricGroup {
  /** The library's group name: base, temporal, environmental (v3.1); base, threat, environmental-*, supplemental (v4.0). */
  group: string;
  metrics: { short: string; name: string; values: { short: string; name: string }[] }[];
}

/** Every metric of a version with its values, in the specification's order (for forms such as the calculator). */
export function cvssMetricGroups(version: '3.1' | '4.0'): CvssMetricGroup[] {
  const vector = version === '3.1' ? new cvssCalculator.Cvss3P1() : new cvssCalculator.Cvss4P0();
  return [...vector.getRegisteredComponents()].map(([category, components]) => ({
    group: category.name,
    metrics: components.map((c) => ({
      short: c.shortName,
      name: c.name,
      values: c.values.filter((v) => v.hide !== true).map((v) => ({ short: v.shortName, name: v.name })),
    })),
  }));
}

const TABLES = {
  '3.1': metricTable(new cvssCalculator.Cvss3P1()),
  '4.0': metricTable(new cvssCalculator.Cvss4P0()),
};

function checkVector(version: '3.1' | '4.0', vector: string): void {
  const { base, allowed } = TABLES[version];
  const tail = vector.slice(`CVSS:${version}/`.length);
  // "CVSS:3.1/" alone names no metric: reported as the missing base metrics below.
  const parts = tail === '' ? [] : tail.split('/');
  const seen = new Set<string>();
  for (const part of parts) {
    const pieces = part.split(':');
    const [name = '', value = ''] = pieces;
    const values = allowed.get(name);
    if (pieces.length !== 2 || !values) throw new CvssVectorError(`unknown or malformed metric "${part}"`);
    if (seen.has(name)) throw new CvssVectorError(`metric ${name} appears twice`);
    if (!values.has(value)) {
      throw new CvssVectorError(`${name}:${value} is not a valid value (${[...values].join(', ')})`);
    }
    seen.add(name);
  }
  const missing = [...base].filter((m) => !seen.has(m));
  if (missing.length > 0) throw new CvssVectorError(`missing base metrics: ${missing.join(', ')}`);
}

/** Validates and scores a v3.1 or v4.0 vector with any of its optional metric groups. */
export function assessCvss(vector: string): CvssAssessment {
  if (vector.startsWith('CVSS:3.1/')) {
    checkVector('3.1', vector);
    const calc = new cvssCalculator.Cvss3P1(vector);
    const s = calc.calculateScores();
    const scores = {
      base: s.base ?? 0,
      temporal: calc.isAnyTemporalDefined() ? (s.temporal ?? null) : null,
      environmental: calc.isAnyEnvironmentalDefined() ? (s.environmental ?? null) : null,
    };
    const score = scores.environmental ?? scores.temporal ?? scores.base;
    return { version: '3.1', vector, score, severity: severityOf(score), scores };
  }
  if (vector.startsWith('CVSS:4.0/')) {
    checkVector('4.0', vector);
    const calc = new cvssCalculator.Cvss4P0(vector);
    // Supplemental metrics are not part of the score: the library's score ignores them.
    const score = calc.calculateScores().overall;
    return {
      version: '4.0',
      vector,
      score,
      severity: severityOf(score),
      nomenclature: calc.getNomenclature() as CvssNomenclature,
    };
  }
  throw new CvssVectorError('the vector must start with CVSS:3.1/ or CVSS:4.0/');
}

/** A metric name -> value map of a vector (after the version prefix). */
export function vectorMetrics(vector: string): Map<string, string> {
  const [, ...parts] = vector.split('/');
  return new Map(parts.map((p) => p.split(':') as [string, string]));
}

/**
 * The vector with `metrics` filled in where it leaves them undefined (values the vector states
 * win), written in the specification's metric order; scored by the same library.
 */
export function withDefaultMetrics(vector: string, metrics: Record<string, string>): CvssAssessment {
  const assessed = assessCvss(vector);
  const calc = assessed.version === '3.1' ? new cvssCalculator.Cvss3P1(vector) : new cvssCalculator.Cvss4P0(vector);
  const stated = vectorMetrics(vector);
  for (const [name, value] of Object.entries(metrics)) {
    if (!stated.has(name) || stated.get(name) === 'X') calc.applyComponentString(name, value);
  }
  // The library writes every metric, undefined ones as X; a vector names only those it defines.
  const [prefix, ...parts] = calc.toString(true).split('/');
  return assessCvss([prefix, ...parts.filter((p) => !p.endsWith(':X'))].join('/'));
}

/** Validates and scores a vector, written back in the specification's metric order. */
export function assessCanonical(vector: string): CvssAssessment {
  return withDefaultMetrics(vector, {});
}

/** The qualitative rating scale (v3.1 specification section 5); the same bands apply to v4.0. */
export function severityOf(score: number): Severity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}
