import { canonicalBytes, CanonicalJsonError } from './canonical-json.ts';
import { MetadataVerificationError } from './errors.ts';
import type { RepositoryName, RoleName } from './errors.ts';
import { EnvelopeSchema, describeZodError } from './schemas.ts';
import type { Signature, SignedMetadata } from './schemas.ts';

/** A metadata file as received: its exact bytes, its UTF-8 text, or (for in-process use) the object. */
export type MetadataInput = Uint8Array | string | SignedMetadata<unknown>;

export interface RawMetadata {
  /** The file's bytes: what snapshot and timestamp hashes cover. */
  readonly bytes: Uint8Array;
  readonly signatures: readonly Signature[];
  /** `signed` exactly as received, unknown fields included. */
  readonly signed: Record<string, unknown>;
  /** Canonical JSON of `signed`: what the signatures cover. */
  readonly message: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads an untrusted metadata file far enough to check its signatures; nothing is trusted yet. */
export function readMetadata(input: MetadataInput, repository: RepositoryName, role: RoleName): RawMetadata {
  const malformed = (detail: string) => new MetadataVerificationError('malformed', role, repository, detail);
  let bytes: Uint8Array;
  let json: unknown;
  try {
    if (typeof input === 'string' || input instanceof Uint8Array) {
      bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
      json = JSON.parse(utf8.decode(bytes));
    } else {
      bytes = canonicalBytes(input);
      json = input;
    }
  } catch (error) {
    throw malformed(`not UTF-8 JSON (${(error as Error).message})`);
  }
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) throw malformed(describeZodError(envelope.error));
  const signed = envelope.data.signed;
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed))
    throw malformed('signed is not an object');
  let message: Uint8Array;
  try {
    message = canonicalBytes(signed);
  } catch (error) {
    if (error instanceof CanonicalJsonError) throw malformed(error.message);
    throw error;
  }
  return { bytes, signatures: envelope.data.signatures, signed: signed as Record<string, unknown>, message };
}
