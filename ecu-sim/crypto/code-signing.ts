// OEM code signing as the ECU sees it: raw 32-byte Ed25519 keys (hex in the vehicle file), the signature made
// over the 32-byte SHA-256 digest of a flash region.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export const SIGNATURE_LENGTH = 64;

function rawKey(hex: string, what: string): Buffer {
  const trimmed = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) throw new Error(`${what} must be 32 bytes of hex (64 hex digits)`);
  return Buffer.from(trimmed, 'hex');
}

export function publicKeyFromHex(hex: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, rawKey(hex, 'an Ed25519 public key')]),
    format: 'der',
    type: 'spki',
  });
}

export function privateKeyFromHex(hex: string): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, rawKey(hex, 'an Ed25519 private key (seed)')]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The raw public key (hex) that belongs to a raw private key seed (hex). */
export function publicKeyHexOf(privateKeyHex: string): string {
  const der = createPublicKey(privateKeyFromHex(privateKeyHex)).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_ED25519_PREFIX.length).toString('hex');
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Signs the SHA-256 digest of `regionContent`. */
export function signRegion(privateKey: KeyObject, regionContent: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, sha256(regionContent), privateKey));
}

/** Verifies a signature over a region digest; false (never a throw) for a malformed signature. */
export function verifyDigest(publicKey: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_LENGTH) return false;
  try {
    return verify(null, digest, publicKey, signature);
  } catch {
    return false;
  }
}
