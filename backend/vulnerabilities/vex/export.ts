import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { notFound } from '../../http/problem.ts';
import type { VexJustification, VexStatus } from '../types.ts';
import type { VexStatement } from './service.ts';

// A release's VEX statements as CycloneDX 1.6 (vulnerabilities[].analysis) and as a CSAF 2.0
// document of category csaf_vex (profile 5: product_status, flags for not affected, remediations
// for affected).

const CDX_STATE: Record<VexStatus, string> = {
  not_affected: 'not_affected',
  affected: 'exploitable',
  fixed: 'resolved',
  under_investigation: 'in_triage',
};
// CSAF's flag labels in CycloneDX's vocabulary.
const CDX_JUSTIFICATION: Record<VexJustification, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};
const CSAF_STATUS: Record<VexStatus, string> = {
  not_affected: 'known_not_affected',
  affected: 'known_affected',
  fixed: 'fixed',
  under_investigation: 'under_investigation',
};

interface Context {
  release: { id: number; hardwareId: string; version: string; supplier: string };
  /** Vulnerability id -> its public name (CVE where known) and title. */
  names: Map<number, { key: string; title: string }>;
}

async function loadContext(db: Db, releaseId: number, statements: VexStatement[]): Promise<Context> {
  const r = await db
    .selectFrom('releases')
    .select(['id', 'hardware_id', 'version', 'supplier'])
    .where('id', '=', releaseId)
    .executeTakeFirst();
  if (!r) throw notFound('release', releaseId);
  const ids = statements.map((s) => s.vulnerabilityId);
  const rows =
    ids.length === 0
      ? []
      : await db
          .selectFrom('vulnerabilities as v')
          .leftJoin('monitored_vulnerabilities as m', 'm.vulnerability_id', 'v.id')
          .select(['v.id', 'v.title', 'm.vulnerability_key'])
          .where('v.id', 'in', ids)
          .execute();
  const names = new Map(rows.map((x) => [x.id, { key: x.vulnerability_key ?? `OTA-VULN-${x.id}`, title: x.title }]));
  return { release: { id: r.id, hardwareId: r.hardware_id, version: r.version, supplier: r.supplier }, names };
}

function cycloneDx(ctx: Context, statements: VexStatement[], now: Date) {
  const ref = `release-${ctx.release.id}`;
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      component: {
        type: 'firmware',
        'bom-ref': ref,
        name: ctx.release.hardwareId,
        version: ctx.release.version,
        supplier: { name: ctx.release.supplier },
      },
    },
    vulnerabilities: statements.map((s) => ({
      'bom-ref': `vulnerability-${s.vulnerabilityId}`,
      id: ctx.names.get(s.vulnerabilityId)?.key,
      description: ctx.names.get(s.vulnerabilityId)?.title,
      analysis: {
        state: CDX_STATE[s.status],
        ...(s.justification ? { justification: CDX_JUSTIFICATION[s.justification] } : {}),
        ...(s.detail ? { detail: s.detail } : {}),
        lastUpdated: s.decidedAt,
      },
      affects: [{ ref }],
    })),
  };
}

function csaf(ctx: Context, statements: VexStatement[], now: Date) {
  const pid = `REL-${ctx.release.id}`;
  const at = now.toISOString();
  return {
    document: {
      category: 'csaf_vex',
      csaf_version: '2.0',
      title: `VEX for ${ctx.release.hardwareId} ${ctx.release.version}`,
      publisher: { category: 'vendor', name: ctx.release.supplier, namespace: 'https://ota.example' },
      notes: [
        {
          category: 'summary',
          title: 'Scope',
          text: `Exploitability of known vulnerabilities in release ${ctx.release.version} of ${ctx.release.hardwareId}.`,
        },
      ],
      tracking: {
        id: `OTA-VEX-${ctx.release.id}-${at.slice(0, 10)}`,
        status: 'final',
        version: '1',
        initial_release_date: at,
        current_release_date: at,
        revision_history: [{ date: at, number: '1', summary: 'Generated from the recorded VEX statements' }],
        generator: { engine: { name: 'ota-platform' } },
      },
    },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: ctx.release.supplier,
          branches: [
            {
              category: 'product_name',
              name: ctx.release.hardwareId,
              branches: [
                {
                  category: 'product_version',
                  name: ctx.release.version,
                  product: { product_id: pid, name: `${ctx.release.hardwareId} ${ctx.release.version}` },
                },
              ],
            },
          ],
        },
      ],
    },
    vulnerabilities: statements.map((s) => {
      const name = ctx.names.get(s.vulnerabilityId) ?? { key: `OTA-VULN-${s.vulnerabilityId}`, title: '' };
      const isCve = /^CVE-\d{4}-\d{4,}$/.test(name.key);
      return {
        ...(isCve ? { cve: name.key } : { ids: [{ system_name: 'OTA platform', text: name.key }] }),
        title: name.title,
        product_status: { [CSAF_STATUS[s.status]]: [pid] },
        ...(s.justification ? { flags: [{ label: s.justification, product_ids: [pid] }] } : {}),
        // Profile 5 asks a remediation for every known_affected product.
        ...(s.status === 'affected'
          ? {
              remediations: [
                { category: 'none_available', details: s.detail || 'A fix is in preparation.', product_ids: [pid] },
              ],
            }
          : {}),
        ...(s.detail && s.status !== 'affected' ? { notes: [{ category: 'details', text: s.detail }] } : {}),
      };
    }),
  };
}

export async function exportVex(
  db: Db,
  releaseId: number,
  statements: VexStatement[],
  format: 'cyclonedx' | 'csaf',
  now: Date,
): Promise<Record<string, unknown>> {
  const ctx = await loadContext(db, releaseId, statements);
  return format === 'cyclonedx' ? cycloneDx(ctx, statements, now) : csaf(ctx, statements, now);
}
