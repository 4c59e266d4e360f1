import type { VersionScheme } from '../types.ts';
import { schemeOfPurlType } from '../package-key.ts';
import { COMPARATORS } from './versions.ts';

// Version ranges in the `vers:` notation of the package-url project's VERSION-RANGE-SPEC, as CSAF
// 2.0 recommends for product_version_range branches: `vers:<scheme>/<constraint>|<constraint>...`,
// each constraint a comparator (=, !=, <, <=, >, >=; none means =) and a version, or `*` alone.
// Versions compare in the order of the range's own scheme (dpkg for deb, SemVer for semver/npm...).

export class VersError extends Error {}

export const VERS_COMPARATORS = ['>=', '<=', '!=', '<', '>', '='] as const;
export type VersComparator = (typeof VERS_COMPARATORS)[number];
export interface VersConstraint {
  comparator: VersComparator;
  version: string;
}
/** `*` (every version) or constraints sorted by version, as the evaluation needs them. */
export type VersRange =
  { scheme: VersionScheme; all: true } | { scheme: VersionScheme; all: false; constraints: VersConstraint[] };

/** The version order of a vers scheme: the schemes named after purl types order like those packages. */
function schemeOf(name: string): VersionScheme {
  if (name === 'semver' || name === 'generic') return name;
  return schemeOfPurlType(name);
}

function parseConstraint(text: string, range: string): VersConstraint {
  const comparator = VERS_COMPARATORS.find((c) => text.startsWith(c)) ?? '=';
  const raw = text.startsWith(comparator) ? text.slice(comparator.length) : text;
  if (raw === '' || raw === '*') throw new VersError(`"${range}": constraint "${text}" names no version`);
  let version: string;
  try {
    version = decodeURIComponent(raw);
  } catch {
    throw new VersError(`"${range}": "${raw}" is not a valid percent-encoded version`);
  }
  return { comparator, version };
}

/** Parses a `vers:` range; throws VersError naming what is wrong. */
export function parseVers(text: string): VersRange {
  const m = /^vers:([a-z0-9.+-]+)\/(.+)$/i.exec(text.replace(/\s+/g, ''));
  if (!m?.[1] || !m[2]) throw new VersError(`"${text}" is not a vers range (vers:<scheme>/<constraints>)`);
  const scheme = schemeOf(m[1].toLowerCase());
  if (m[2] === '*') return { scheme, all: true };
  const constraints = m[2].split('|').map((c) => parseConstraint(c, text));
  const cmp = COMPARATORS[scheme];
  constraints.sort((a, b) => cmp(a.version, b.version));
  for (let k = 1; k < constraints.length; k++) {
    const [a, b] = [constraints[k - 1], constraints[k]];
    if (a && b && cmp(a.version, b.version) === 0) throw new VersError(`"${text}": version ${b.version} appears twice`);
  }
  return { scheme, all: false, constraints };
}

function satisfies(version: string, c: VersConstraint, cmp: (a: string, b: string) => number): boolean {
  const d = cmp(version, c.version);
  switch (c.comparator) {
    case '=':
      return d === 0;
    case '!=':
      return d !== 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
  }
}

const below = (c: VersConstraint) => c.comparator === '<' || c.comparator === '<=';
const above = (c: VersConstraint) => c.comparator === '>' || c.comparator === '>=';

/** The specification's containment check: equalities first, then the remaining constraints pairwise in order. */
export function versContains(range: VersRange, version: string): boolean {
  if (range.all) return true;
  const cmp = COMPARATORS[range.scheme];
  for (const c of range.constraints) {
    if (c.comparator === '=' && cmp(version, c.version) === 0) return true;
    if (c.comparator === '!=' && cmp(version, c.version) === 0) return false;
  }
  const rest = range.constraints.filter((c) => c.comparator !== '=' && c.comparator !== '!=');
  // Only exclusions (`vers:deb/!=1.0-1`): every other version.
  if (rest.length === 0) return range.constraints.some((c) => c.comparator === '!=');
  for (let k = 0; k < rest.length; k++) {
    const current = rest[k] as VersConstraint;
    const next = rest[k + 1];
    if (k === 0 && below(current) && satisfies(version, current, cmp)) return true;
    if (!next && above(current) && satisfies(version, current, cmp)) return true;
    if (next && above(current) && below(next) && satisfies(version, current, cmp) && satisfies(version, next, cmp)) {
      return true;
    }
  }
  return false;
}
