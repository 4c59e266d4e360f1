export type RoleName = 'root' | 'timestamp' | 'snapshot' | 'targets';
export type RepositoryName = 'image' | 'director';

export type VerificationErrorCode =
  /** Not JSON, not canonical-encodable, or fails the role's schema. */
  | 'malformed'
  /** `_type` names another role than the one expected. */
  | 'wrong_type'
  /** `spec_version` is not a 1.x version. */
  | 'unsupported_spec_version'
  /** Threshold not met and at least one signature by an authorised key did not verify (tampering). */
  | 'bad_signature'
  /** Threshold not met: too few distinct authorised keys signed. */
  | 'threshold_not_met'
  | 'expired'
  /** A version lower than one trusted before (replay or rollback). */
  | 'rollback'
  /** A version other than the one the chain requires (root N+1, snapshot/targets as listed). */
  | 'version_mismatch'
  | 'hash_mismatch'
  | 'length_mismatch'
  /** A Director target the Image repository does not list. */
  | 'unknown_target'
  | 'wrong_vin'
  | 'wrong_ecu'
  | 'hardware_mismatch'
  /** The image's release version is lower than the one the ECU runs. */
  | 'downgrade'
  /** The delta's base image is not the image the ECU runs. */
  | 'delta_base_mismatch';

/** Why update metadata was refused; `code` is precise enough to act on and to report. */
export class MetadataVerificationError extends Error {
  override readonly name = 'MetadataVerificationError';
  constructor(
    readonly code: VerificationErrorCode,
    readonly role: RoleName,
    readonly repository: RepositoryName | undefined,
    detail: string,
  ) {
    super(`${repository ? `${repository} ` : ''}${role}: ${code}: ${detail}`);
  }
}
