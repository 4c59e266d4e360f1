import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json.ts';
import { sha256Hex, toHex } from './bytes.ts';
import {
  ed25519PublicKey,
  ed25519SignerFromPem,
  ed25519SignerFromSeed,
  generateEd25519Signer,
  keyIdOf,
  seedFromLabel,
  verifyEd25519,
} from './keys.ts';

ed.hashes.sha512 = sha512;
const seed = seedFromLabel('keys test');
const message = new TextEncoder().encode('{"_type":"targets"}');

describe('Ed25519 keys', () => {
  it('signs exactly as @noble/ed25519 does, with the same public key', () => {
    const signer = ed25519SignerFromSeed(seed);
    expect(signer.publicKey.keyval.public).toBe(toHex(ed.getPublicKey(seed)));
    expect(signer.sign(message)).toBe(toHex(ed.sign(message, seed)));
  });

  it('names a key by the sha256 of its canonical JSON, in TUF key format', () => {
    const signer = ed25519SignerFromSeed(seed);
    expect(signer.publicKey).toEqual({
      keytype: 'ed25519',
      scheme: 'ed25519',
      keyval: { public: signer.publicKey.keyval.public },
    });
    expect(signer.keyId).toBe(sha256Hex(canonicalize(signer.publicKey)));
    expect(keyIdOf(signer.publicKey)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies good signatures and refuses tampered ones, wrong keys and junk without throwing', () => {
    const signer = ed25519SignerFromSeed(seed);
    const other = ed25519SignerFromSeed(seedFromLabel('other'));
    const sig = signer.sign(message);
    const pub = signer.publicKey.keyval.public;
    expect(verifyEd25519(pub, message, sig)).toBe(true);
    expect(verifyEd25519(pub, new TextEncoder().encode('{"_type":"Targets"}'), sig)).toBe(false);
    expect(verifyEd25519(other.publicKey.keyval.public, message, sig)).toBe(false);
    expect(verifyEd25519(pub, message, sig.slice(0, 126))).toBe(false);
    expect(verifyEd25519('zz', message, sig)).toBe(false);
  });

  it('round-trips a generated key through PEM', () => {
    const { signer, pem } = generateEd25519Signer();
    expect(ed25519SignerFromPem(pem).keyId).toBe(signer.keyId);
  });

  it('refuses bad key material with a clear error', () => {
    expect(() => ed25519SignerFromSeed(new Uint8Array(31))).toThrow('32 bytes');
    expect(() => ed25519PublicKey('ABC')).toThrow('64 lowercase hex');
  });
});
