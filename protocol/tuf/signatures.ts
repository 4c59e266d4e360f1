import { canonicalBytes, omitUndefined } from './canonical-json.ts';
import { keyIdOf, verifyEd25519 } from './keys.ts';
import type { Signer } from './keys.ts';
import type { Key, RoleKeys, Signature, SignedMetadata } from './schemas.ts';

/**
 * Signs the canonical JSON of `signed` with every signer (one signature per distinct key).
 * Properties set to `undefined` are dropped first; the returned `signed` is that copy.
 */
export function signMetadata<T>(content: T, signers: readonly Signer[]): SignedMetadata<T> {
  const signed = omitUndefined(content);
  const message = canonicalBytes(signed);
  const seen = new Set<string>();
  const signatures: Signature[] = [];
  for (const signer of signers) {
    if (seen.has(signer.keyId)) continue;
    seen.add(signer.keyId);
    signatures.push({ keyid: signer.keyId, sig: signer.sign(message) });
  }
  return { signatures, signed };
}

/** The bytes of a metadata file as published: canonical JSON of the whole envelope. */
export function serializeMetadata(metadata: SignedMetadata<unknown>): Uint8Array {
  return canonicalBytes(metadata);
}

export interface SignatureCount {
  /** Distinct authorised keys whose signature verified. */
  readonly valid: number;
  /** Authorised key ids that signed but whose signature did not verify. */
  readonly invalidKeyIds: readonly string[];
}

/**
 * Counts signatures over `message` by keys the role authorises. A key counts once however many
 * signatures name it, and two key ids holding the same public key count once too; signatures by
 * keys the role does not list are ignored, as TUF requires. A key whose id is not the hash of its
 * content never counts (its id could alias another key).
 */
export function countSignatures(
  message: Uint8Array,
  signatures: readonly Signature[],
  keys: Readonly<Record<string, Key>>,
  role: RoleKeys,
): SignatureCount {
  const authorised = new Set(role.keyids);
  const countedKeyIds = new Set<string>();
  const countedPublicKeys = new Set<string>();
  const invalidKeyIds: string[] = [];
  for (const { keyid, sig } of signatures) {
    const key = keys[keyid];
    if (!authorised.has(keyid) || key === undefined || countedKeyIds.has(keyid)) continue;
    const usable = key.keytype === 'ed25519' && key.scheme === 'ed25519' && keyIdOf(key) === keyid;
    if (usable && verifyEd25519(key.keyval.public, message, sig)) {
      countedKeyIds.add(keyid);
      countedPublicKeys.add(key.keyval.public);
    } else {
      invalidKeyIds.push(keyid);
    }
  }
  return { valid: countedPublicKeys.size, invalidKeyIds };
}
