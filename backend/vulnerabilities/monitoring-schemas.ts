import { z } from '@hono/zod-openapi';
import { VEX_JUSTIFICATIONS } from './types.ts';

export const Sha256Param = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' } }),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256')
    .openapi({ param: { name: 'sha256', in: 'path' } }),
});

export const ReleaseVulnParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' } }),
  vulnerabilityId: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'vulnerabilityId', in: 'path' } }),
});

const MatchSummary = z.object({
  newFindings: z.number().int(),
  createdVulnerabilities: z.array(z.number().int()),
  vulnerabilityIds: z.array(z.number().int()),
});

export const StoredSbom = z
  .object({
    id: z.number().int(),
    releaseId: z.number().int(),
    imageSha256: z.string(),
    format: z.enum(['cyclonedx', 'spdx']),
    specVersion: z.string(),
    components: z.number().int(),
    unidentified: z.number().int(),
    matching: MatchSummary,
  })
  .openapi('StoredSbom');

export const ReleaseComponent = z
  .object({
    imageSha256: z.string(),
    name: z.string(),
    version: z.string(),
    purl: z.string().nullable(),
    cpe: z.string().nullable(),
  })
  .openapi('ReleaseComponent');

export const ImportSummary = z
  .object({
    created: z.array(z.string()),
    updated: z.array(z.string()),
    unchanged: z.array(z.string()),
    matching: MatchSummary,
  })
  .openapi('AdvisoryImportSummary');

export const MatchRun = MatchSummary.openapi('MatchRun');

export const Finding = z
  .object({
    vulnerabilityId: z.number().int(),
    advisory: z.object({ source: z.string(), id: z.string(), aliases: z.array(z.string()) }),
    release: z.object({ id: z.number().int(), hardwareId: z.string(), version: z.string() }),
    component: z.object({
      name: z.string(),
      version: z.string(),
      purl: z.string().nullable(),
      cpe: z.string().nullable(),
    }),
    vex: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']).nullable(),
    ecus: z.number().int(),
    foundAt: z.string(),
  })
  .openapi('Finding');

export const VexDecision = z
  .discriminatedUnion('status', [
    z.object({
      status: z.literal('not_affected'),
      justification: z.enum(VEX_JUSTIFICATIONS),
      detail: z.string().max(4000).default(''),
    }),
    z
      .object({
        status: z.enum(['affected', 'fixed', 'under_investigation']),
        detail: z.string().max(4000).default(''),
      })
      .strict(),
  ])
  .openapi('VexDecision');

export const VexStatement = z
  .object({
    releaseId: z.number().int(),
    vulnerabilityId: z.number().int(),
    status: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']),
    justification: z.enum(VEX_JUSTIFICATIONS).nullable(),
    detail: z.string(),
    decidedBy: z.string(),
    decidedAt: z.string(),
  })
  .openapi('VexStatement');

export const VexExportQuery = z.object({ format: z.enum(['cyclonedx', 'csaf']).default('cyclonedx') });
