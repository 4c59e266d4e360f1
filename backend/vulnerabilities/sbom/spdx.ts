import { z } from 'zod';
import { SbomError, toComponent } from './component.ts';
import type { ParsedSbom, SbomComponent } from './component.ts';

// SPDX 2.3 JSON. No SPDX JSON schema ships in an npm package we use, so the fields the
// specification requires (clause 6: document creation; clause 7: packages) are checked here.

const ExternalRef = z.object({
  referenceCategory: z.enum([
    'SECURITY',
    'PACKAGE-MANAGER',
    'PACKAGE_MANAGER',
    'PERSISTENT-ID',
    'PERSISTENT_ID',
    'OTHER',
  ]),
  referenceType: z.string().min(1),
  referenceLocator: z.string().min(1),
});
const Package = z.object({
  SPDXID: z.string().regex(/^SPDXRef-[A-Za-z0-9.-]+$/),
  name: z.string().min(1),
  versionInfo: z.string().optional(),
  downloadLocation: z.string().min(1),
  externalRefs: z.array(ExternalRef).optional(),
});
const Document = z.object({
  spdxVersion: z.literal('SPDX-2.3'),
  dataLicense: z.literal('CC0-1.0'),
  SPDXID: z.literal('SPDXRef-DOCUMENT'),
  name: z.string().min(1),
  documentNamespace: z.string().url(),
  creationInfo: z.object({ created: z.iso.datetime(), creators: z.array(z.string().min(1)).min(1) }),
  packages: z.array(Package).optional(),
});

export function parseSpdx(doc: Record<string, unknown>): ParsedSbom {
  const result = Document.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = `/${issue?.path.join('/') ?? ''}`;
    throw new SbomError(path, `not valid SPDX 2.3: ${path} ${issue?.message ?? ''}`.trim());
  }
  const components: SbomComponent[] = [];
  let unidentified = 0;
  result.data.packages?.forEach((p, i) => {
    const ref = (type: string) => p.externalRefs?.find((r) => r.referenceType === type)?.referenceLocator;
    const row = toComponent(`/packages/${i}`, p.name, p.versionInfo, ref('purl'), ref('cpe23Type'));
    if (row) components.push(row);
    else unidentified++;
  });
  return { format: 'spdx', specVersion: '2.3', components, unidentified };
}
