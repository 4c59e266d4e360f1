// Ed25519 signing keys and TUF key ids on Node's crypto alone: what a program needs to load or make keys
// at start-up, without the metadata schemas (zod) that `@ota/protocol/tuf` brings.
export {
  ed25519PublicKey,
  ed25519SignerFromPem,
  ed25519SignerFromSeed,
  generateEd25519Signer,
  keyIdOf,
  seedFromLabel,
  verifyEd25519,
} from '../tuf/keys.ts';
export type { Signer, TufPublicKey } from '../tuf/keys.ts';
