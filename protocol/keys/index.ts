// Ed25519 signing keys and TUF key ids on Node's crypto alone: what a program needs to load or make keys
// at start-up, without the metadata schemas (zod) that `@ota/protocol/tuf` brings. All of tuf/keys.ts is public.
export * from '../tuf/keys.ts';
export * from '../ed25519-raw-keys.ts';
