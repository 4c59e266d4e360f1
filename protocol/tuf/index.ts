export { canonicalBytes, canonicalize, CanonicalJsonError, omitUndefined } from './canonical-json.ts';
export type { CanonicalJsonValue } from './canonical-json.ts';
export { fromHex, sha256Hex, toHex } from './bytes.ts';
// Every key helper is public API.
export * from './keys.ts';
export { formatExpires, parseExpires } from './time.ts';
export { MetadataVerificationError } from './errors.ts';
export type { RepositoryName, RoleName, VerificationErrorCode } from './errors.ts';
export {
  EnvelopeSchema,
  HashesSchema,
  KeySchema,
  MetaFileSchema,
  RootSignedSchema,
  Sha256HexSchema,
  SignatureSchema,
  SnapshotSignedSchema,
  TargetFileSchema,
  TargetsSignedSchema,
  TimestampSignedSchema,
} from './schemas.ts';
export type {
  Hashes,
  Key,
  MetaFile,
  RoleKeys,
  RootSigned,
  Signature,
  SignedMetadata,
  SnapshotSigned,
  TargetFile,
  TargetsSigned,
  TimestampSigned,
} from './schemas.ts';
export { buildRoot, buildSnapshot, buildTargets, buildTimestamp, describeMetaFile, SPEC_VERSION } from './builders.ts';
export type { RoleKeyPolicy } from './builders.ts';
export { countSignatures, serializeMetadata, signMetadata } from './signatures.ts';
export { publishRepository, publishRoot } from './publish.ts';
export type { PublishedRepository, RoleRelease } from './publish.ts';
export { TrustedRepositoryStateSchema } from './trusted-state.ts';
export type { TrustedRepositoryState } from './trusted-state.ts';
export { trustRoot, verifyRepository } from './repository-verifier.ts';
export type { RepositoryMetadata, VerifiedRepository } from './repository-verifier.ts';
export type { MetadataInput } from './metadata-input.ts';
