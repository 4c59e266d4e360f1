// Deterministic TUF repositories for tests (keys derived from labels); tests only, never built into dist/.
export {
  asMetadata,
  chainOver,
  LATER,
  NOW,
  publish,
  roleSigners,
  rootBytes,
  tamper,
  testRepository,
  testSigner,
} from '../tuf/test-fixtures.ts';
export type { PublishOptions, RoleSigners, TestRepository } from '../tuf/test-fixtures.ts';
