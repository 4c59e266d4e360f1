import semver from 'semver';
import type { VersionScheme } from '../types.ts';

// Version order per ecosystem. Each comparator returns <0, 0, >0 like Array.sort's.

export type Compare = (a: string, b: string) => number;

// --- Debian: deb-version(7) / Debian Policy 5.6.12 -----------------------------------------

interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parseDeb(v: string): DebVersion {
  const colon = v.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  // No hyphen: the revision is empty, which compares like "0".
  return dash >= 0
    ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) }
    : { epoch, upstream: rest, revision: '' };
}

/** The non-digit order: `~` sorts before everything (even the end of the string), letters before other characters. */
function debCharOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareDebPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit prefix, character by character.
    while ((i < a.length && !/\d/.test(a[i] ?? '')) || (j < b.length && !/\d/.test(b[j] ?? ''))) {
      const ca = i < a.length && !/\d/.test(a[i] ?? '') ? a[i] : undefined;
      const cb = j < b.length && !/\d/.test(b[j] ?? '') ? b[j] : undefined;
      const d = debCharOrder(ca) - debCharOrder(cb);
      if (d !== 0) return d;
      i++;
      j++;
    }
    // Digit run, numerically (an empty run is 0).
    let na = '';
    let nb = '';
    while (i < a.length && /\d/.test(a[i] ?? '')) na += a[i++];
    while (j < b.length && /\d/.test(b[j] ?? '')) nb += b[j++];
    const d = compareDigits(na, nb);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compares digit strings of any length without Number's precision limit. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

export const compareDeb: Compare = (a, b) => {
  const x = parseDeb(a);
  const y = parseDeb(b);
  return x.epoch - y.epoch || compareDebPart(x.upstream, y.upstream) || compareDebPart(x.revision, y.revision);
};

// --- semver ------------------------------------------------------------------------------------

/** SemVer 2.0 precedence; a leading "v" is accepted (Go modules), build metadata ignored. */
export const compareSemver: Compare = (a, b) => {
  const x = semver.parse(a.replace(/^v/, ''), { loose: true });
  const y = semver.parse(b.replace(/^v/, ''), { loose: true });
  // A version that is not semver cannot be placed; fall back to the generic order rather than guess.
  if (!x || !y) return compareGeneric(a, b);
  return semver.compare(x, y);
};

// --- generic -----------------------------------------------------------------------------------

/**
 * For ecosystems without their own rules: numeric runs compare as numbers, other runs as text,
 * separators ignored; a pre-release word (alpha, beta, rc...) after a number sorts before the end.
 */
export const compareGeneric: Compare = (a, b) => {
  const ta = a.toLowerCase().match(/\d+|[a-z]+/g) ?? [];
  const tb = b.toLowerCase().match(/\d+|[a-z]+/g) ?? [];
  for (let k = 0; k < Math.max(ta.length, tb.length); k++) {
    const x = ta[k];
    const y = tb[k];
    if (x === y) continue;
    if (x === undefined) return y !== undefined && /^\d/.test(y) ? -1 : 1;
    if (y === undefined) return /^\d/.test(x) ? 1 : -1;
    const xd = /^\d/.test(x);
    const yd = /^\d/.test(y);
    if (xd && yd) {
      const d = compareDigits(x, y);
      if (d !== 0) return d;
    } else if (xd !== yd) {
      return xd ? 1 : -1;
    } else {
      return x < y ? -1 : 1;
    }
  }
  return 0;
};

export const COMPARATORS: Record<VersionScheme, Compare> = {
  semver: compareSemver,
  deb: compareDeb,
  generic: compareGeneric,
};
