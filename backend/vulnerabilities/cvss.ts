import cvssCalculator from 'ae-cvss-calculator';
import type { Severity } from '../db/schema.ts';
import { cvss31BaseScore, CvssVectorError, parseCvss31, severityOf } from './cvss31.ts';

export interface CvssAssessment {
  version: '3.1' | '4.0';
  vector: string;
  score: number;
  severity: Severity;
}

// v4.0 base metrics with their allowed values; the library scores but does not reject bad vectors.
const V40_BASE: Record<string, string> = {
  AV: 'NALP',
  AC: 'LH',
  AT: 'NP',
  PR: 'NLH',
  UI: 'NPA',
  VC: 'HLN',
  VI: 'HLN',
  VA: 'HLN',
  SC: 'HLN',
  SI: 'HLN',
  SA: 'HLN',
};

function checkCvss40(vector: string): void {
  const [prefix, ...parts] = vector.split('/');
  if (prefix !== 'CVSS:4.0') throw new CvssVectorError('a CVSS v4.0 vector starts with CVSS:4.0/');
  const seen = new Set<string>();
  for (const part of parts) {
    const [name = '', value = ''] = part.split(':');
    const allowed = V40_BASE[name];
    if (!allowed || value.length !== 1 || !allowed.includes(value) || part.split(':').length !== 2) {
      throw new CvssVectorError(`unknown or malformed base metric "${part}"`);
    }
    if (seen.has(name)) throw new CvssVectorError(`metric ${name} appears twice`);
    seen.add(name);
  }
  const missing = Object.keys(V40_BASE).filter((m) => !seen.has(m));
  if (missing.length > 0) throw new CvssVectorError(`missing base metrics: ${missing.join(', ')}`);
}

/** Scores a v3.1 vector with the project's own formula, a v4.0 vector with ae-cvss-calculator. */
export function assessCvss(vector: string): CvssAssessment {
  if (vector.startsWith('CVSS:3.1/')) {
    const score = cvss31BaseScore(parseCvss31(vector));
    return { version: '3.1', vector, score, severity: severityOf(score) };
  }
  if (vector.startsWith('CVSS:4.0/')) {
    checkCvss40(vector);
    const score = new cvssCalculator.Cvss4P0(vector).calculateScores().base ?? 0;
    return { version: '4.0', vector, score, severity: severityOf(score) };
  }
  throw new CvssVectorError('the vector must start with CVSS:3.1/ or CVSS:4.0/');
}
