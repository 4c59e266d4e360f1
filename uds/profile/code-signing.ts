// OEM code signing of the profile (checkMemory, 31 01 0202): an Ed25519 signature over the 32-byte SHA-256
// digest of one flash region, with raw 32-byte keys given as hex (vehicle files, key files). The ECU verifies;
// a tester signs only in engineer mode with a TEST key; production images arrive signed.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyFromRaw, rawEd25519PublicKey } from '@ota/protocol/keys';

export const SIGNATURE_LENGTH = 64;

export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}

function rawKey(hex: string, what: string): Buffer {
  const trimmed = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) throw new KeyFormatError(`${what} must be 32 bytes of hex (64 hex digits)`);
  return Buffer.from(trimmed, 'hex');
}

export function publicKeyFromHex(hex: string): KeyObject {
  return ed25519PublicKeyFromRaw(rawKey(hex, 'an Ed25519 public key'));
}

/** A private key from its raw 32-byte seed (RFC 8032), in hex. */
export function privateKeyFromHex(hex: string): KeyObject {
  return ed25519PrivateKeyFromSeed(rawKey(hex, 'an Ed25519 private key (seed)'));
}

/** The raw public key (hex) that belongs to a raw private key seed (hex). */
export function publicKeyHexOf(privateKeyHex: string): string {
  return Buffer.from(rawEd25519PublicKey(privateKeyFromHex(privateKeyHex))).toString('hex');
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

/** Verifies a signature over a region's content. */
export function verifyRegion(publicKey: KeyObject, regionContent: Uint8Array, signature: Uint8Array): boolean {
  return verifyDigest(publicKey, sha256(regionContent), signature);
}
