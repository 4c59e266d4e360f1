import type { VersionScheme } from '../types.ts';
import { isAffected } from './affected.ts';
import type { AffectedSpec } from './affected.ts';
import { COMPARATORS } from './versions.ts';

// The pure part of matching: which components an advisory's packages cover. Advisories are
// indexed by package key (purl type/namespace/name or CPE vendor:product), so each component
// looks at the few advisories about its own package instead of all of them.

export interface ComponentRef {
  sbomId: number;
  ordinal: number;
  releaseId: number;
  packageKey: string;
  version: string;
}

export interface AdvisoryPackage {
  advisoryId: number;
  packageKey: string;
  scheme: VersionScheme;
  affected: AffectedSpec;
}

export interface Match {
  advisoryId: number;
  sbomId: number;
  ordinal: number;
  releaseId: number;
}

export function indexByPackage(packages: readonly AdvisoryPackage[]): Map<string, AdvisoryPackage[]> {
  const index = new Map<string, AdvisoryPackage[]>();
  for (const p of packages) {
    const list = index.get(p.packageKey);
    if (list) list.push(p);
    else index.set(p.packageKey, [p]);
  }
  return index;
}

function matchOne(c: ComponentRef, p: AdvisoryPackage): boolean {
  return isAffected(p.affected, c.version, COMPARATORS[p.scheme]);
}

/** Each (advisory, component) pair at most once, in input order. */
export function findMatches(components: readonly ComponentRef[], packages: readonly AdvisoryPackage[]): Match[] {
  const index = indexByPackage(packages);
  const out: Match[] = [];
  for (const c of components) {
    const seen = new Set<number>();
    for (const p of index.get(c.packageKey) ?? []) {
      if (seen.has(p.advisoryId) || !matchOne(c, p)) continue;
      seen.add(p.advisoryId);
      out.push({ advisoryId: p.advisoryId, sbomId: c.sbomId, ordinal: c.ordinal, releaseId: c.releaseId });
    }
  }
  return out;
}

/** The same result by comparing every component with every advisory package: the benchmark's peer. */
export function findMatchesNaive(components: readonly ComponentRef[], packages: readonly AdvisoryPackage[]): Match[] {
  const out: Match[] = [];
  for (const c of components) {
    const seen = new Set<number>();
    for (const p of packages) {
      if (p.packageKey !== c.packageKey || seen.has(p.advisoryId) || !matchOne(c, p)) continue;
      seen.add(p.advisoryId);
      out.push({ advisoryId: p.advisoryId, sbomId: c.sbomId, ordinal: c.ordinal, releaseId: c.releaseId });
    }
  }
  return out;
}
