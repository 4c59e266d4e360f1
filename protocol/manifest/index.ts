export {
  checkManifestCounter,
  EcuVersionSchema,
  LastUpdateSchema,
  ManifestVerificationError,
  signManifestNow,
  signVehicleManifest,
  VehicleManifestSchema,
  verifyVehicleManifest,
} from './vehicle-manifest.ts';
export type { EcuVersion, ManifestErrorCode, SignedVehicleManifest, VehicleManifest } from './vehicle-manifest.ts';
