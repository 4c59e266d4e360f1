// Raw Ed25519 keys (RFC 8032: a 32-byte public key, a 32-byte private seed) as node:crypto KeyObjects, through
// the DER wrappings of RFC 8410. One home for TUF keys (tuf/keys.ts) and the ECU code-signing keys of the UDS
// profile (uds/profile/code-signing.ts), which hold keys raw.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export const ED25519_RAW_KEY_LENGTH = 32;

// DER prefixes that wrap a raw 32-byte Ed25519 key: SPKI public, PKCS#8 private.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function checkLength(raw: Uint8Array, what: string): void {
  if (raw.length !== ED25519_RAW_KEY_LENGTH) throw new TypeError(`${what} is 32 bytes, got ${raw.length}`);
}

export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  checkLength(raw, 'an Ed25519 public key');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  checkLength(seed, 'an Ed25519 seed');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The raw public key of an Ed25519 key object, public or private. */
export function rawEd25519PublicKey(key: KeyObject): Uint8Array {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}
