import { z } from 'zod';
import { PackageIdError, parseCpe, parsePurl, schemeOfKey } from '../package-key.ts';
import { parseVers, VersError } from '../matching/vers.ts';
import type { VersRange } from '../matching/vers.ts';
import type { AffectedSpec } from '../matching/affected.ts';
import { AdvisoryError, scorableCvss } from './advisory.ts';
import type { ParsedAdvisory } from './advisory.ts';

// CSAF 2.0 (OASIS): the product tree names products (with purl or CPE in
// product_identification_helper, versions as product_version branches); each vulnerability's
// product_status says which products are known_affected and which are fixed. One advisory per
// vulnerability of the document. A product under a product_version_range branch stands for every
// version of its `vers:` range; ranges in other notations (free text) cannot be evaluated and are skipped.

const Helper = z.object({ purl: z.string().optional(), cpe: z.string().optional() }).optional();
const FullProductName = z.object({
  product_id: z.string().min(1),
  name: z.string().min(1),
  product_identification_helper: Helper,
});
interface Branch {
  category: string;
  name: string;
  product?: z.infer<typeof FullProductName> | undefined;
  branches?: Branch[] | undefined;
}
const BranchSchema: z.ZodType<Branch> = z.lazy(() =>
  z.object({
    category: z.string().min(1),
    name: z.string().min(1),
    product: FullProductName.optional(),
    branches: z.array(BranchSchema).optional(),
  }),
);
const ProductIds = z.array(z.string().min(1)).optional();
const Vulnerability = z.object({
  cve: z
    .string()
    .regex(/^CVE-\d{4}-\d{4,}$/)
    .optional(),
  ids: z.array(z.object({ system_name: z.string(), text: z.string() })).optional(),
  title: z.string().optional(),
  notes: z.array(z.object({ category: z.string(), text: z.string() })).optional(),
  product_status: z
    .object({
      known_affected: ProductIds,
      first_affected: ProductIds,
      last_affected: ProductIds,
      fixed: ProductIds,
      first_fixed: ProductIds,
      known_not_affected: ProductIds,
      under_investigation: ProductIds,
    })
    .optional(),
  scores: z
    .array(
      z.object({
        products: z.array(z.string()).min(1),
        cvss_v3: z.object({ vectorString: z.string() }).optional(),
        cvss_v4: z.object({ vectorString: z.string() }).optional(),
      }),
    )
    .optional(),
  remediations: z.array(z.object({ category: z.string(), details: z.string(), product_ids: ProductIds })).optional(),
});
export const CsafDocument = z.object({
  document: z.object({
    category: z.string().min(1),
    csaf_version: z.literal('2.0'),
    title: z.string().min(1),
    publisher: z.object({ category: z.string(), name: z.string().min(1), namespace: z.string().url() }),
    tracking: z.object({
      id: z.string().min(1),
      current_release_date: z.iso.datetime({ offset: true }),
      initial_release_date: z.iso.datetime({ offset: true }),
      status: z.enum(['draft', 'final', 'interim']),
      version: z.string().min(1),
      revision_history: z.array(z.object({ date: z.string(), number: z.string(), summary: z.string() })).min(1),
    }),
  }),
  product_tree: z
    .object({ branches: z.array(BranchSchema).optional(), full_product_names: z.array(FullProductName).optional() })
    .optional(),
  vulnerabilities: z.array(Vulnerability).min(1),
});

/** One version, or (under a product_version_range branch) a range of them. */
type Product = { packageKey: string; version: string } | { packageKey: string; range: VersRange };
type BranchVersion = { version: string } | { range: VersRange } | null;

function branchVersion(b: Branch, enclosing: BranchVersion, path: string): BranchVersion {
  if (b.category === 'product_version') return { version: b.name };
  if (b.category !== 'product_version_range') return enclosing;
  if (!b.name.trim().startsWith('vers:')) return null;
  try {
    return { range: parseVers(b.name) };
  } catch (err) {
    if (err instanceof VersError) throw new AdvisoryError(`${path}/name`, err.message);
    throw err;
  }
}

/** Product id -> package and version (the purl's/CPE's, else the enclosing product_version branch's) or range. */
function productsOf(tree: z.infer<typeof CsafDocument>['product_tree']): Map<string, Product> {
  const out = new Map<string, Product>();
  const add = (p: z.infer<typeof FullProductName>, branch: BranchVersion, path: string) => {
    const h = p.product_identification_helper;
    try {
      const id = h?.purl ? parsePurl(h.purl) : h?.cpe ? parseCpe(h.cpe) : null;
      if (!id) return;
      if (branch && 'range' in branch) out.set(p.product_id, { packageKey: id.key, range: branch.range });
      else if (id.version ?? branch?.version) {
        out.set(p.product_id, { packageKey: id.key, version: id.version ?? branch?.version ?? '' });
      }
    } catch (err) {
      if (err instanceof PackageIdError) throw new AdvisoryError(`${path}/product_identification_helper`, err.message);
      throw err;
    }
  };
  const walk = (branches: Branch[] | undefined, enclosing: BranchVersion, path: string) => {
    branches?.forEach((b, i) => {
      const here = `${path}/${i}`;
      const v = branchVersion(b, enclosing, here);
      if (b.product) add(b.product, v, `${here}/product`);
      walk(b.branches, v, `${here}/branches`);
    });
  };
  walk(tree?.branches, null, '/product_tree/branches');
  tree?.full_product_names?.forEach((p, i) => add(p, null, `/product_tree/full_product_names/${i}`));
  return out;
}

type CsafAffected = AffectedSpec & { vers: VersRange[]; fixedVers: VersRange[] };

/** Package key -> the versions and ranges the status lists name as affected and as fixed. */
function packagesOf(products: Map<string, Product>, affected: string[], fixed: string[]): Map<string, CsafAffected> {
  const byKey = new Map<string, CsafAffected>();
  const note = (ids: string[], isFixed: boolean) => {
    for (const id of ids) {
      const p = products.get(id);
      if (!p) continue;
      const entry = byKey.get(p.packageKey) ?? { ranges: [], versions: [], fixed: [], vers: [], fixedVers: [] };
      if ('range' in p) (isFixed ? entry.fixedVers : entry.vers).push(p.range);
      else (isFixed ? entry.fixed : entry.versions).push(p.version);
      byKey.set(p.packageKey, entry);
    }
  };
  note(affected, false);
  note(fixed, true);
  for (const e of byKey.values()) {
    e.versions = [...new Set(e.versions)];
    e.fixed = [...new Set(e.fixed)];
  }
  return byKey;
}

export function parseCsaf(doc: unknown): ParsedAdvisory[] {
  const parsed = CsafDocument.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = `/${issue?.path.join('/') ?? ''}`;
    throw new AdvisoryError(path, `not a valid CSAF 2.0 document: ${path} ${issue?.message ?? ''}`);
  }
  const { document, product_tree, vulnerabilities } = parsed.data;
  const products = productsOf(product_tree);
  return vulnerabilities.map((v, i) => {
    const status = v.product_status ?? {};
    const affectedIds = [...(status.known_affected ?? []), ...(status.first_affected ?? [])];
    const fixedIds = [...(status.fixed ?? []), ...(status.first_fixed ?? [])];
    const byKey = packagesOf(products, [...affectedIds, ...(status.last_affected ?? [])], fixedIds);
    const score = v.scores?.find((s) => s.cvss_v4 ?? s.cvss_v3);
    const cvssVector = scorableCvss(score?.cvss_v4?.vectorString ?? score?.cvss_v3?.vectorString);
    const id = v.cve ?? v.ids?.[0]?.text ?? `${i}`;
    return {
      source: 'csaf' as const,
      externalId: `${document.tracking.id}#${id}`,
      aliases: [...(v.cve ? [v.cve] : []), ...(v.ids ?? []).map((x) => x.text)],
      summary: v.title ?? document.title,
      details: v.notes?.find((n) => n.category === 'description')?.text ?? '',
      modified: new Date(document.tracking.current_release_date),
      cvssVector,
      packages: [...byKey].map(([packageKey, affected]) => ({
        packageKey,
        // A CPE names no ecosystem: the range's scheme then says how its versions compare.
        scheme: affected.vers[0]?.scheme ?? affected.fixedVers[0]?.scheme ?? schemeOfKey(packageKey),
        affected,
      })),
      document: doc,
    };
  });
}
