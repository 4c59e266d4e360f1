import type { AdvisorySource, VersionScheme } from '../types.ts';
import type { AffectedSpec } from '../matching/affected.ts';
import { assessCvss } from '../cvss.ts';

/** An advisory in the one form OSV records and CSAF vulnerabilities are both brought to. */
export interface ParsedAdvisory {
  source: AdvisorySource;
  /** OSV id, or CSAF `tracking.id#cve` (one advisory per CSAF vulnerability). */
  externalId: string;
  /** Other names of the same vulnerability (CVE ids first): what links advisories to one vulnerability. */
  aliases: string[];
  summary: string;
  details: string;
  modified: Date;
  cvssVector: string | null;
  packages: { packageKey: string; scheme: VersionScheme; affected: AffectedSpec }[];
  /** The record as imported (for CSAF: the whole document), kept for the audit and for export. */
  document: unknown;
}

/** A document that is not what it claims; `path` is a JSON pointer into it. */
export class AdvisoryError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** The key under which matches of several advisories about one vulnerability meet. */
export function vulnerabilityKey(a: Pick<ParsedAdvisory, 'externalId' | 'aliases'>): string {
  return a.aliases.find((x) => /^CVE-\d{4}-\d+$/.test(x)) ?? a.aliases[0] ?? a.externalId;
}

/** The vector when the scorer can read it; others (CVSS:3.0, v2) stay in the document only. */
export function scorableCvss(vector: string | undefined): string | null {
  if (!vector) return null;
  try {
    return assessCvss(vector).vector;
  } catch {
    return null;
  }
}
