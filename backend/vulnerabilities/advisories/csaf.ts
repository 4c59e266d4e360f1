import { z } from 'zod';
import { PackageIdError, parseCpe, parsePurl, schemeOfKey } from '../package-key.ts';
import { AdvisoryError, scorableCvss } from './advisory.ts';
import type { ParsedAdvisory } from './advisory.ts';

// CSAF 2.0 (OASIS): the product tree names products (with purl or CPE in
// product_identification_helper, versions as product_version branches); each vulnerability's
// product_status says which products are known_affected and which are fixed. One advisory per
// vulnerability of the document.

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

interface Product {
  packageKey: string;
  version: string;
}

/** Product id -> package and version; the version is the purl's/CPE's or the enclosing product_version branch's. */
function productsOf(tree: z.infer<typeof CsafDocument>['product_tree']): Map<string, Product> {
  const out = new Map<string, Product>();
  const add = (p: z.infer<typeof FullProductName>, branchVersion: string | undefined, path: string) => {
    const h = p.product_identification_helper;
    try {
      const id = h?.purl ? parsePurl(h.purl) : h?.cpe ? parseCpe(h.cpe) : null;
      const version = id?.version ?? branchVersion;
      if (id && version) out.set(p.product_id, { packageKey: id.key, version });
    } catch (err) {
      if (err instanceof PackageIdError) throw new AdvisoryError(`${path}/product_identification_helper`, err.message);
      throw err;
    }
  };
  const walk = (branches: Branch[] | undefined, version: string | undefined, path: string) => {
    branches?.forEach((b, i) => {
      const here = `${path}/${i}`;
      const v = b.category === 'product_version' ? b.name : version;
      if (b.product) add(b.product, v, `${here}/product`);
      walk(b.branches, v, `${here}/branches`);
    });
  };
  walk(tree?.branches, undefined, '/product_tree/branches');
  tree?.full_product_names?.forEach((p, i) => add(p, undefined, `/product_tree/full_product_names/${i}`));
  return out;
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
    // Package key -> affected and fixed versions.
    const byKey = new Map<string, { versions: Set<string>; fixed: Set<string> }>();
    const note = (ids: string[] | undefined, kind: 'versions' | 'fixed') => {
      for (const id of ids ?? []) {
        const p = products.get(id);
        if (!p) continue;
        const entry = byKey.get(p.packageKey) ?? { versions: new Set<string>(), fixed: new Set<string>() };
        entry[kind].add(p.version);
        byKey.set(p.packageKey, entry);
      }
    };
    note(
      [...(status.known_affected ?? []), ...(status.first_affected ?? []), ...(status.last_affected ?? [])],
      'versions',
    );
    note([...(status.fixed ?? []), ...(status.first_fixed ?? [])], 'fixed');
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
      packages: [...byKey].map(([packageKey, e]) => ({
        packageKey,
        scheme: schemeOfKey(packageKey),
        affected: { ranges: [], versions: [...e.versions], fixed: [...e.fixed] },
      })),
      document: doc,
    };
  });
}
