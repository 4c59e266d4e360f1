/** The `custom` fields of Image repository and Director targets (Uptane's additions to TUF). */
import { z } from 'zod';
import { Sha256HexSchema } from '../tuf/schemas.ts';
import { EcuSerialSchema, VinSchema } from '../vin.ts';

const Length = z.number().int().nonnegative();

/** What the OEM released: who may run the image, its release version, and the ECU code signature. */
export const ImageTargetCustomSchema = z.object({
  hardwareIds: z.array(z.string().min(1)).min(1),
  version: z.string().min(1),
  releaseId: z.string().min(1),
  /** Hex Ed25519 signature by the ECU code-signing key over the 32-byte SHA-256 of the image. */
  ecuSignature: z.string().regex(/^[0-9a-f]{128}$/, 'expected a hex Ed25519 signature'),
});
export type ImageTargetCustom = z.infer<typeof ImageTargetCustomSchema>;

/** A delta package that rebuilds the target image from the image the ECU runs now. */
export const DeltaPackageSchema = z.object({
  length: Length,
  sha256: Sha256HexSchema,
  base: z.object({ length: Length, sha256: Sha256HexSchema }),
});
export type DeltaPackage = z.infer<typeof DeltaPackageSchema>;

export const DirectorEcuTargetSchema = z.object({
  hardwareId: z.string().min(1),
  delta: DeltaPackageSchema.optional(),
});
export type DirectorEcuTarget = z.infer<typeof DirectorEcuTargetSchema>;

/** What this vehicle must install for this campaign: the ECUs (by serial) that get this image. */
export const DirectorTargetCustomSchema = z.object({
  vin: VinSchema,
  campaignId: z.string().min(1),
  ecus: z
    .record(EcuSerialSchema, DirectorEcuTargetSchema)
    .refine((ecus) => Object.keys(ecus).length > 0, 'at least one ECU'),
});
export type DirectorTargetCustom = z.infer<typeof DirectorTargetCustomSchema>;
