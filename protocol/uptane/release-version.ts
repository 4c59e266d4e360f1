/**
 * Orders release version strings semver-style without requiring strict semver: `1.2`, `1.2.0`,
 * `1.10.0-rc.1`, `2024.03+build5`. Build metadata (after `+`) is ignored; missing numeric parts
 * count as 0; a pre-release (after the first `-`) sorts before its release; identifiers compare
 * numerically when both are digits, otherwise digits sort first, then text by code unit.
 */
function compareIdentifiers(a: string, b: string): number {
  const aNum = /^\d+$/.test(a);
  const bNum = /^\d+$/.test(b);
  if (aNum && bNum) {
    const left = a.replace(/^0+(?=\d)/, '');
    const right = b.replace(/^0+(?=\d)/, '');
    return left.length !== right.length ? left.length - right.length : left < right ? -1 : left > right ? 1 : 0;
  }
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function split(version: string): { main: string[]; pre: string[] } {
  const withoutBuild = version.trim().split('+')[0] ?? '';
  const dash = withoutBuild.indexOf('-');
  const main = dash < 0 ? withoutBuild : withoutBuild.slice(0, dash);
  const pre = dash < 0 ? '' : withoutBuild.slice(dash + 1);
  return { main: main.replace(/^v/i, '').split('.'), pre: pre === '' ? [] : pre.split('.') };
}

/** Negative if `a` is older than `b`, zero if equal, positive if newer. */
export function compareReleaseVersions(a: string, b: string): number {
  const left = split(a);
  const right = split(b);
  for (let i = 0; i < Math.max(left.main.length, right.main.length); i++) {
    const diff = compareIdentifiers(left.main[i] ?? '0', right.main[i] ?? '0');
    if (diff !== 0) return Math.sign(diff);
  }
  if (left.pre.length === 0 || right.pre.length === 0) return Math.sign(right.pre.length - left.pre.length);
  for (let i = 0; i < Math.min(left.pre.length, right.pre.length); i++) {
    const diff = compareIdentifiers(left.pre[i]!, right.pre[i]!);
    if (diff !== 0) return Math.sign(diff);
  }
  return Math.sign(left.pre.length - right.pre.length);
}
