import { PackageURL } from 'packageurl-js';
import type { VersionScheme } from './types.ts';

// One key per package, shared by SBOM components and advisories, so matching is an index lookup:
// `pkg:<type>/<namespace>/<name>` from a purl (normalised per type by packageurl-js) or
// `cpe:<vendor>:<product>` from a CPE 2.3 name.

export class PackageIdError extends Error {}

export interface ParsedPurl {
  key: string;
  type: string;
  version: string | null;
}

export function parsePurl(purl: string): ParsedPurl {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch (err) {
    throw new PackageIdError(`"${purl}" is not a valid purl: ${(err as Error).message}`);
  }
  const key = `pkg:${p.type}/${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
  return { key, type: p.type, version: p.version ?? null };
}

export interface ParsedCpe {
  key: string;
  version: string | null;
}

// cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other
// (NISTIR 7695 formatted string; `\:` escapes a colon inside a component).
const CPE23 = /^cpe:2\.3:[aho*-](?::(?:[^:\\]|\\.)*){10}$/i;

export function parseCpe(cpe: string): ParsedCpe {
  if (!CPE23.test(cpe)) throw new PackageIdError(`"${cpe}" is not a CPE 2.3 formatted string`);
  const [, , , vendor = '', product = '', version = ''] = cpe.split(/(?<!\\):/);
  const any = (v: string) => v === '*' || v === '-' || v === '';
  if (any(vendor) || any(product)) throw new PackageIdError(`"${cpe}" names no vendor and product`);
  return { key: `cpe:${vendor.toLowerCase()}:${product.toLowerCase()}`, version: any(version) ? null : version };
}

/** How versions of a package compare: dpkg order for Debian-family packages, semver where the ecosystem uses it. */
export function schemeOfPurlType(type: string): VersionScheme {
  if (type === 'deb') return 'deb';
  if (['npm', 'cargo', 'golang', 'hex', 'pub', 'nuget', 'composer'].includes(type)) return 'semver';
  return 'generic';
}

/** The scheme of a package key (CPE names carry no ecosystem: generic order). */
export function schemeOfKey(key: string): VersionScheme {
  const m = /^pkg:([^/]+)\//.exec(key);
  return m?.[1] ? schemeOfPurlType(m[1]) : 'generic';
}
