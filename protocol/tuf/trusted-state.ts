import { z } from 'zod';
import { RootSignedSchema } from './schemas.ts';

/**
 * What a client remembers about one repository between updates: the trusted root and the
 * versions it has accepted, which later metadata must never go below. Plain JSON; the caller
 * persists it and passes it back.
 */
export const TrustedRepositoryStateSchema = z.object({
  root: RootSignedSchema,
  timestamp: z
    .object({ version: z.number().int().positive(), snapshotVersion: z.number().int().positive() })
    .optional(),
  snapshot: z
    .object({
      version: z.number().int().positive(),
      /** Version of every metadata file the snapshot listed (`targets.json`). */
      metaVersions: z.record(z.string(), z.number().int().positive()),
    })
    .optional(),
  targets: z.object({ version: z.number().int().positive() }).optional(),
});
export type TrustedRepositoryState = z.infer<typeof TrustedRepositoryStateSchema>;
