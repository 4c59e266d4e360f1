/** Why a delta package was refused. Every decoder failure is a DeltaError with one of these codes. */
export type DeltaErrorCode =
  | 'base_mismatch' // the image the package was made against is not the one given
  | 'truncated' // the package ends before its declared length
  | 'corrupt' // the package is malformed (bad magic, bad streams, ops out of range, trailing data)
  | 'result_mismatch' // the rebuilt image does not have the declared SHA-256
  | 'unsupported_version' // format version or method this decoder does not know
  | 'too_large'; // a declared or actual size exceeds the limits

export class DeltaError extends Error {
  override readonly name = 'DeltaError';
  readonly code: DeltaErrorCode;

  constructor(code: DeltaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
