import { z } from '@hono/zod-openapi';
import { label, text } from '../http/schema-fields.ts';
import { ASIL_RATINGS, ECU_EXPOSURES } from '../fleet/types.ts';
import { REJECTION_REASONS, REMEDIATION_KINDS, REPORTER_KINDS, VULNERABILITY_PHASES } from './types.ts';

export const AffectedProduct = z
  .object({ hardwareId: label(), versions: z.array(label()).min(1).max(200) })
  .openapi('AffectedProduct');

const affectedList = z
  .array(AffectedProduct)
  .max(100)
  .refine((a) => new Set(a.map((p) => p.hardwareId)).size === a.length, { message: 'each hardware id once' });

export const VulnerabilityReport = z.object({
  title: text(300),
  description: z.string().max(20_000).default(''),
  reporter: text(200),
  reporterKind: z.enum(REPORTER_KINDS),
  reporterContact: text(300).nullable().default(null),
  attackVectorNote: text(2000).nullable().default(null).openapi({ description: 'NERC field: attack vector' }),
  impactNote: text(2000).nullable().default(null).openapi({ description: 'NERC field: impact' }),
  intrusionLevel: text(200).nullable().default(null).openapi({ description: 'NERC field: intrusion level' }),
  affected: affectedList.default([]),
});

export const Assessment = z.object({
  cvssVector: z.string().max(200).openapi({ example: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }),
  exploitAvailable: z.boolean(),
  workaroundExists: z.boolean(),
  safetyRelevant: z.boolean(),
  rootCause: text(5000).nullable().default(null),
  affected: affectedList.optional(),
  reason: text(2000)
    .optional()
    .openapi({ description: 'why the issue is re-assessed (required once an assessment is recorded)' }),
});

export const Remediation = z.object({
  kind: z.enum(REMEDIATION_KINDS),
  note: text(5000),
  embargoUntil: z.iso.datetime({ offset: true }).nullable().default(null),
});

export const PhaseChange = z.object({
  to: z.enum(VULNERABILITY_PHASES),
  reason: text(2000),
  rejectionReason: z.enum(REJECTION_REASONS).optional(),
  advisory: text(20_000).optional(),
});

export const VulnerabilityListQuery = z.object({
  phase: z.enum(VULNERABILITY_PHASES).optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

const SEVERITY = z.enum(['none', 'low', 'medium', 'high', 'critical']);
const CvssAssessment = z
  .discriminatedUnion('version', [
    z.object({
      version: z.literal('3.1'),
      vector: z.string(),
      score: z.number(),
      severity: SEVERITY,
      scores: z.object({ base: z.number(), temporal: z.number().nullable(), environmental: z.number().nullable() }),
    }),
    z.object({
      version: z.literal('4.0'),
      vector: z.string(),
      score: z.number(),
      severity: SEVERITY,
      nomenclature: z.enum(['CVSS-B', 'CVSS-BT', 'CVSS-BE', 'CVSS-BTE']),
    }),
  ])
  .openapi('CvssAssessment');

const CvssContext = z
  .object({
    modelId: z.string(),
    hardwareId: z.string(),
    asil: z.enum(ASIL_RATINGS).nullable(),
    exposure: z.enum(ECU_EXPOSURES).nullable(),
    vehicles: z.number().int(),
    cvss: CvssAssessment,
  })
  .openapi('CvssContext', {
    description: 'The vector with the environmental metrics this ECU context implies (README "Contextual CVSS")',
  });

export const Vulnerability = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    phase: z.enum(VULNERABILITY_PHASES),
    reporter: z.string(),
    reporterKind: z.enum(REPORTER_KINDS),
    reporterContact: z.string().nullable(),
    attackVectorNote: z.string().nullable(),
    impactNote: z.string().nullable(),
    intrusionLevel: z.string().nullable(),
    cvss: CvssAssessment.nullable(),
    cvssContexts: z.array(CvssContext),
    contextualCvss: CvssAssessment.nullable(),
    exploitAvailable: z.boolean(),
    workaroundExists: z.boolean(),
    safetyRelevant: z.boolean(),
    rootCause: z.string().nullable(),
    remediation: z.object({ kind: z.enum(REMEDIATION_KINDS), note: z.string().nullable() }).nullable(),
    deliveryClass: z.string().nullable(),
    confirmedAt: z.string().nullable(),
    deadlineAt: z.string().nullable(),
    daysLeft: z.number().int().nullable(),
    overdue: z.boolean(),
    embargoUntil: z.string().nullable(),
    advisory: z.string().nullable(),
    disclosedAt: z.string().nullable(),
    rejectionReason: z.enum(REJECTION_REASONS).nullable(),
    affected: z.array(AffectedProduct),
    affectedVehicles: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Vulnerability');
