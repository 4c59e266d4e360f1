export {
  DeltaPackageSchema,
  DirectorEcuTargetSchema,
  DirectorTargetCustomSchema,
  ImageTargetCustomSchema,
} from './custom-fields.ts';
export type { DeltaPackage, DirectorEcuTarget, DirectorTargetCustom, ImageTargetCustom } from './custom-fields.ts';
export { compareReleaseVersions } from './release-version.ts';
export {
  buildDirectorTarget,
  buildImageTarget,
  describeBlob,
  releaseImage,
  signEcuImage,
  verifyEcuImageSignature,
} from './targets.ts';
export { verifyUpdate } from './verify-update.ts';
export type { EcuUpdate, ReportedEcu, RepositoryInput, VerifiedUpdate } from './verify-update.ts';
