import { z } from 'zod';
import { PackageIdError, parsePurl, schemeOfKey } from '../package-key.ts';
import type { OsvEvent } from '../matching/affected.ts';
import { AdvisoryError, scorableCvss } from './advisory.ts';
import type { ParsedAdvisory } from './advisory.ts';

// OSV schema 1.x records (ossf.github.io/osv-schema): the fields matching needs are checked,
// the rest is kept as imported.

const Event = z.union([
  z.object({ introduced: z.string().min(1) }).strict(),
  z.object({ fixed: z.string().min(1) }).strict(),
  z.object({ last_affected: z.string().min(1) }).strict(),
  z.object({ limit: z.string().min(1) }).strict(),
]);
const Range = z.object({ type: z.enum(['SEMVER', 'ECOSYSTEM', 'GIT']), events: z.array(Event).min(1) });
const Affected = z.object({
  package: z.object({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().optional() }).optional(),
  ranges: z.array(Range).optional(),
  versions: z.array(z.string()).optional(),
});
export const OsvRecord = z.object({
  id: z.string().min(1).max(200),
  modified: z.iso.datetime({ offset: true }),
  aliases: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).optional(),
  affected: z.array(Affected).optional(),
});

// OSV ecosystem -> purl type and namespace (the purl specification's types).
const ECOSYSTEM_PURL: Record<string, string> = {
  npm: 'npm',
  PyPI: 'pypi',
  Go: 'golang',
  'crates.io': 'cargo',
  Maven: 'maven',
  NuGet: 'nuget',
  RubyGems: 'gem',
  Packagist: 'composer',
  Hex: 'hex',
  Pub: 'pub',
  Debian: 'deb/debian',
  Ubuntu: 'deb/ubuntu',
  Alpine: 'apk/alpine',
};

function packageKeyOf(pkg: { ecosystem: string; name: string; purl?: string | undefined }): string | null {
  if (pkg.purl) return parsePurl(pkg.purl).key;
  // "Debian:12" names the release; the key is the package across releases.
  const base = pkg.ecosystem.split(':')[0] ?? '';
  const type = ECOSYSTEM_PURL[base];
  if (!type) return null;
  const name = base === 'Maven' ? pkg.name.replace(':', '/') : pkg.name;
  return parsePurl(`pkg:${type}/${name.startsWith('@') ? name.replace('@', '%40') : name}`).key;
}

function cvssOf(severity: { type: string; score: string }[] | undefined): string | null {
  const vectors = (severity ?? []).filter((s) => s.type === 'CVSS_V3' || s.type === 'CVSS_V4').map((s) => s.score);
  return vectors.map(scorableCvss).find((v) => v !== null) ?? null;
}

export function parseOsv(record: unknown, where = ''): ParsedAdvisory {
  const parsed = OsvRecord.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = `${where}/${issue?.path.join('/') ?? ''}`;
    throw new AdvisoryError(path, `not a valid OSV record: ${path} ${issue?.message ?? ''}`);
  }
  const r = parsed.data;
  const packages: ParsedAdvisory['packages'] = [];
  r.affected?.forEach((a, i) => {
    if (!a.package) return;
    let key: string | null;
    try {
      key = packageKeyOf(a.package);
    } catch (err) {
      if (err instanceof PackageIdError) throw new AdvisoryError(`${where}/affected/${i}/package`, err.message);
      throw err;
    }
    if (!key) return; // an ecosystem with no purl type cannot meet an SBOM component
    const ranges = (a.ranges ?? []).filter((x) => x.type !== 'GIT');
    const scheme = ranges.some((x) => x.type === 'SEMVER') ? 'semver' : schemeOfKey(key);
    packages.push({
      packageKey: key,
      scheme,
      affected: { ranges: ranges.map((x) => x.events as OsvEvent[]), versions: a.versions ?? [], fixed: [] },
    });
  });
  return {
    source: 'osv',
    externalId: r.id,
    aliases: r.aliases ?? [],
    summary: r.summary ?? r.details?.split('\n')[0]?.slice(0, 200) ?? r.id,
    details: r.details ?? '',
    modified: new Date(r.modified),
    cvssVector: cvssOf(r.severity),
    packages,
    document: record,
  };
}
