import { z } from '@hono/zod-openapi';
import { invalid } from '../http/problem.ts';
import { label, text } from '../http/schema-fields.ts';
import { RELEASE_STATES } from './types.ts';
import { AUTHORIZATION_DECISIONS } from './lifecycle.ts';

export const FileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.+-]+$/, 'a plain file name: letters, digits and . _ + - only');

export const ReleaseInput = z.object({
  hardwareId: label(),
  version: label(),
  supplier: text(200),
  notes: z.string().max(20_000).default(''),
  fixes: z.array(z.number().int().positive()).max(100).default([]),
});

export const TestEvidence = z
  .object({
    reportRef: text(500).openapi({ description: 'where the test report is kept' }),
    logSha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256 of the test log'),
  })
  .openapi('TestEvidence');

export const ReleaseTransition = z.object({
  to: z.enum(RELEASE_STATES),
  reason: text(2000),
  evidence: TestEvidence.optional(),
});

export const AuthorizationInput = z.object({
  decision: z.enum(AUTHORIZATION_DECISIONS),
  reason: text(2000),
  evidence: TestEvidence.optional(),
  safetyImpactAnalysis: text(20_000).optional(),
});

export const SafetyImpactAnalysisInput = z.object({
  analysis: text(20_000).openapi({ description: 'the safety impact analysis (IEC TR 63069), or its reference' }),
  reason: text(2000),
});

export const Base64Image = z.object({
  fileName: FileName,
  contentBase64: z
    .string()
    .min(4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'standard base64')
    .refine((s) => s.length % 4 === 0, { message: 'base64 length must be a multiple of 4' }),
  hardwareIds: z.array(label()).max(50).optional(),
});

export const RawImageQuery = z.object({
  fileName: FileName.optional().openapi({ description: 'required with application/octet-stream' }),
  hardwareIds: z
    .string()
    .max(2000)
    .optional()
    .openapi({ description: 'comma-separated hardware ids the image fits (default: the release hardware id)' }),
});

/** The raw upload's `hardwareIds` query: a comma-separated list, or undefined for the release's own. */
export function hardwareIdList(raw: string | undefined): string[] | undefined {
  const ids = raw
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids?.some((h) => !/^[\w.:+-]{1,64}$/.test(h))) {
    throw invalid('query.hardwareIds', 'comma-separated hardware ids (letters, digits and . _ : + -)');
  }
  return ids;
}

export const ReleaseListQuery = z.object({
  state: z.enum(RELEASE_STATES).optional(),
  hardwareId: z.string().max(64).optional(),
});

export const Release = z
  .object({
    id: z.number().int(),
    hardwareId: z.string(),
    version: z.string(),
    supplier: z.string(),
    notes: z.string(),
    state: z.enum(RELEASE_STATES),
    safetyRelevant: z.boolean(),
    safetyImpactAnalysis: z.string().nullable(),
    fixes: z.array(z.number().int()),
    images: z.array(
      z.object({
        sha256: z.string(),
        length: z.number().int(),
        fileName: z.string(),
        hardwareIds: z.array(z.string()),
        version: z.string(),
        uploadedAt: z.string(),
      }),
    ),
    evidence: z.array(
      z.object({
        stage: z.enum(['approved', 'authorized']),
        reportRef: z.string(),
        logSha256: z.string(),
        recordedAt: z.string(),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Release');
