// OEM code signing as the ECU checks it in checkMemory: an Ed25519 signature over the SHA-256 digest of one
// flash region. The gateway only signs in engineer mode with a TEST key (--sign-key); production images arrive
// signed in the metadata.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}

function raw32(hex: string, what: string): Buffer {
  const trimmed = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) throw new KeyFormatError(`${what} must be 32 bytes of hex (64 hex digits)`);
  return Buffer.from(trimmed, 'hex');
}

export function ed25519PrivateKeyFromHex(hex: string): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, raw32(hex, 'an Ed25519 private key')]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function ed25519PublicKeyFromHex(hex: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, raw32(hex, 'an Ed25519 public key')]),
    format: 'der',
    type: 'spki',
  });
}

export function signRegion(key: KeyObject, region: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, createHash('sha256').update(region).digest(), key));
}

export function verifyRegion(key: KeyObject, region: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, createHash('sha256').update(region).digest(), key, signature);
  } catch {
    return false;
  }
}

/** Signatures in a file: raw binary (64 bytes per region) or hex text (128 digits per region, whitespace ignored). */
export function parseSignatures(content: Buffer, regionCount: number): Uint8Array[] {
  const text = content.toString('latin1').replace(/\s+/g, '');
  const bytes = /^[0-9a-fA-F]+$/.test(text) && text.length === regionCount * 128 ? Buffer.from(text, 'hex') : content;
  if (bytes.length !== regionCount * 64) {
    throw new KeyFormatError(
      `a signature file holds ${regionCount} Ed25519 signature(s) (${regionCount * 64} bytes raw or ${regionCount * 128} hex digits), this one has ${content.length} bytes`,
    );
  }
  return Array.from({ length: regionCount }, (_, i) => new Uint8Array(bytes.subarray(i * 64, (i + 1) * 64)));
}
