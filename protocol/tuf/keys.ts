import { createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyFromRaw, rawEd25519PublicKey } from '../ed25519-raw-keys.ts';
import { fromHex, sha256, sha256Hex, toHex } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';

/** An Ed25519 public key in TUF's key format. */
export type TufPublicKey = {
  readonly keytype: 'ed25519';
  readonly scheme: 'ed25519';
  readonly keyval: { readonly public: string };
};

/** Anything that can sign with one Ed25519 key: a key file loaded by the caller, later an HSM. */
export interface Signer {
  readonly publicKey: TufPublicKey;
  /** sha256 hex of the canonical JSON of `publicKey`. */
  readonly keyId: string;
  /** Hex Ed25519 signature of `message`. */
  sign(message: Uint8Array): string;
}

const PUBLIC_KEY_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE_HEX = /^[0-9a-f]{128}$/;

export function ed25519PublicKey(publicHex: string): TufPublicKey {
  if (!PUBLIC_KEY_HEX.test(publicHex)) throw new TypeError('an Ed25519 public key is 64 lowercase hex digits');
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: publicHex } };
}

/** TUF key id: sha256 hex of the key's canonical JSON. */
export function keyIdOf(key: unknown): string {
  return sha256Hex(canonicalize(key));
}

function signerFromKeyObject(privateKey: KeyObject): Signer {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 private key, got ${privateKey.asymmetricKeyType ?? 'none'}`);
  }
  const publicKey = ed25519PublicKey(toHex(rawEd25519PublicKey(privateKey)));
  return {
    publicKey,
    keyId: keyIdOf(publicKey),
    sign: (message) => sign(null, message, privateKey).toString('hex'),
  };
}

/** A signer from a 32-byte Ed25519 seed (the RFC 8032 private key). */
export function ed25519SignerFromSeed(seed: Uint8Array): Signer {
  if (seed.length !== 32) throw new TypeError(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
  return signerFromKeyObject(ed25519PrivateKeyFromSeed(seed));
}

/** A signer from a PKCS#8 PEM private key (`openssl genpkey -algorithm ed25519`). */
export function ed25519SignerFromPem(pem: string): Signer {
  return signerFromKeyObject(createPrivateKey(pem));
}

/** A fresh random key; `pem` is what the caller stores (this module never writes files). */
export function generateEd25519Signer(): { signer: Signer; pem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    signer: signerFromKeyObject(privateKey),
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** A deterministic seed from a label, for tests and demos only: sha256(label). */
export function seedFromLabel(label: string): Uint8Array {
  return sha256(label);
}

/** Whether `signatureHex` is a valid Ed25519 signature of `message` by `publicHex`. Never throws. */
export function verifyEd25519(publicHex: string, message: Uint8Array, signatureHex: string): boolean {
  if (!PUBLIC_KEY_HEX.test(publicHex) || !SIGNATURE_HEX.test(signatureHex)) return false;
  try {
    return verify(null, message, ed25519PublicKeyFromRaw(fromHex(publicHex)), fromHex(signatureHex));
  } catch {
    return false;
  }
}
