import type { Compare } from './versions.ts';
import { versContains } from './vers.ts';
import type { VersRange } from './vers.ts';

// Which versions of one package an advisory names as affected, in a form both OSV and CSAF map to.

/** One OSV range event (exactly one key set, as the OSV schema requires). */
export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface AffectedSpec {
  /** OSV `ranges[].events`, one list per range. */
  ranges: OsvEvent[][];
  /** Versions named as affected one by one (OSV `versions`, CSAF `known_affected`). */
  versions: string[];
  /** Versions named as fixed (CSAF `fixed`): never affected, whatever a range says. */
  fixed: string[];
  /** CSAF `product_version_range` branches in vers notation, each compared in its own scheme's order (absent in advisories stored before). */
  vers?: VersRange[] | undefined;
  /** Ranges named as fixed: never affected. */
  fixedVers?: VersRange[] | undefined;
}

function eventVersion(e: OsvEvent): string {
  return 'introduced' in e ? e.introduced : 'fixed' in e ? e.fixed : 'last_affected' in e ? e.last_affected : e.limit;
}

/**
 * The OSV evaluation (ossf.github.io/osv-schema, "Evaluation"): walk the events in version order;
 * `introduced` opens, `fixed` closes at its version, `last_affected` closes after it; `limit`
 * bounds the range from above. "0" as introduced is before every version.
 */
function inRange(events: OsvEvent[], version: string, cmp: Compare): boolean {
  const order = (e: OsvEvent) => eventVersion(e);
  const key = (e: OsvEvent) => ('introduced' in e && e.introduced === '0' ? null : order(e));
  const sorted = [...events].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
    return cmp(x, y);
  });
  const limits = events.filter((e) => 'limit' in e).map(eventVersion);
  if (limits.length > 0 && limits.every((l) => l !== '*' && cmp(version, l) >= 0)) return false;
  let affected = false;
  for (const e of sorted) {
    if ('introduced' in e) {
      if (e.introduced === '0' || cmp(version, e.introduced) >= 0) affected = true;
    } else if ('fixed' in e) {
      if (cmp(version, e.fixed) >= 0) affected = false;
    } else if ('last_affected' in e) {
      if (cmp(version, e.last_affected) > 0) affected = false;
    }
  }
  return affected;
}

export function isAffected(spec: AffectedSpec, version: string, cmp: Compare): boolean {
  if (spec.fixed.some((f) => cmp(f, version) === 0)) return false;
  if (spec.fixedVers?.some((r) => versContains(r, version))) return false;
  if (spec.versions.some((v) => cmp(v, version) === 0)) return true;
  if (spec.vers?.some((r) => versContains(r, version))) return true;
  return spec.ranges.some((events) => inRange(events, version, cmp));
}
