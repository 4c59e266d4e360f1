// Proof of ownership (0x29 sub-function 03, and the server's proof in 02): the holder signs the other side's
// challenge with the private key of its certificate. Ed25519 signs the challenge itself; ECDSA P-256 signs its
// SHA-256 (DER-encoded signature). A challenge is random, 32 bytes, and good for one proof.
import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';

export const CHALLENGE_LENGTH = 32;

export function newChallenge(): Uint8Array {
  return new Uint8Array(randomBytes(CHALLENGE_LENGTH));
}

const digestFor = (key: KeyObject): string | null => (key.asymmetricKeyType === 'ed25519' ? null : 'sha256');

export function proveOwnership(privateKey: KeyObject, challenge: Uint8Array): Uint8Array {
  return new Uint8Array(sign(digestFor(privateKey), challenge, privateKey));
}

export function verifyOwnership(publicKey: KeyObject, challenge: Uint8Array, proof: Uint8Array): boolean {
  try {
    return verify(digestFor(publicKey), challenge, publicKey, proof);
  } catch {
    return false; // a malformed ECDSA signature
  }
}
