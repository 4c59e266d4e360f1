/**
 * The vehicle version manifest (gateway -> backend): what every ECU runs, signed with the
 * vehicle's own Ed25519 key in the TUF signature format over canonical JSON.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EcuResultSchema, VehicleOutcomeSchema } from '../messages/ecu-result.ts';
import type { Signer, TufPublicKey } from '../tuf/keys.ts';
import { ExpiresSchema, Sha256HexSchema } from '../tuf/schemas.ts';
import type { SignedMetadata } from '../tuf/schemas.ts';
import { formatExpires } from '../tuf/time.ts';
import { EcuSerialSchema, VinSchema } from '../vin.ts';
import { signWithVehicleKey, verifyVehicleSigned } from './vehicle-signed.ts';

export const EcuVersionSchema = z.object({
  serial: EcuSerialSchema,
  hardwareId: z.string().min(1),
  version: z.string().min(1),
  imageSha256: Sha256HexSchema,
});
export type EcuVersion = z.infer<typeof EcuVersionSchema>;

export const LastUpdateSchema = z.object({
  campaignId: z.string().min(1),
  outcome: VehicleOutcomeSchema,
  ecus: z.array(EcuResultSchema),
});

export const VehicleManifestSchema = z.object({
  vin: VinSchema,
  /** Increases with every manifest the vehicle signs; the backend refuses one that does not. */
  counter: z.number().int().nonnegative(),
  /** Random per manifest (hex, 16-64 bytes), so that two manifests never sign the same bytes. */
  nonce: z.string().regex(/^(?:[0-9a-f]{2}){16,64}$/, 'expected 16-64 random bytes as hex'),
  /** When the gateway signed it: `YYYY-MM-DDTHH:MM:SSZ`. */
  timestamp: ExpiresSchema,
  ecus: z
    .array(EcuVersionSchema)
    .min(1)
    .refine((ecus) => new Set(ecus.map((e) => e.serial)).size === ecus.length, 'duplicate ECU serial'),
  lastUpdate: LastUpdateSchema.optional(),
});
export type VehicleManifest = z.infer<typeof VehicleManifestSchema>;
export type SignedVehicleManifest = SignedMetadata<VehicleManifest>;

export type ManifestErrorCode = 'malformed' | 'bad_signature' | 'stale_counter';

export class ManifestVerificationError extends Error {
  override readonly name = 'ManifestVerificationError';
  constructor(
    readonly code: ManifestErrorCode,
    detail: string,
  ) {
    super(`vehicle manifest: ${code}: ${detail}`);
  }
}

const manifestFailure = (code: ManifestErrorCode, detail: string) => new ManifestVerificationError(code, detail);

/** Validates and signs a manifest; throws ManifestVerificationError('malformed') on bad content. */
export function signVehicleManifest(manifest: VehicleManifest, vehicleKey: Signer): SignedVehicleManifest {
  return signWithVehicleKey(VehicleManifestSchema, manifest, vehicleKey, manifestFailure);
}

/** A manifest as a vehicle sends it: signed at `now`, with a fresh random nonce. */
export function signManifestNow(
  content: Omit<VehicleManifest, 'nonce' | 'timestamp'>,
  vehicleKey: Signer,
  now: Date,
): SignedVehicleManifest {
  const manifest = { ...content, nonce: randomBytes(16).toString('hex'), timestamp: formatExpires(now) };
  return signVehicleManifest(manifest, vehicleKey);
}

/**
 * Checks that the vehicle key registered for this VIN signed the manifest and that it is well
 * formed; returns the manifest. Whether `counter` advanced is for the caller, who knows the last
 * one (see checkManifestCounter).
 */
export function verifyVehicleManifest(input: unknown, vehicleKey: TufPublicKey): VehicleManifest {
  return verifyVehicleSigned(VehicleManifestSchema, input, vehicleKey, manifestFailure);
}

/** Throws 'stale_counter' unless `manifest.counter` is above the last accepted counter. */
export function checkManifestCounter(manifest: VehicleManifest, lastAcceptedCounter: number | undefined): void {
  if (lastAcceptedCounter !== undefined && manifest.counter <= lastAcceptedCounter) {
    throw new ManifestVerificationError(
      'stale_counter',
      `counter ${manifest.counter} is not above ${lastAcceptedCounter}`,
    );
  }
}
