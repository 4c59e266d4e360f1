// Deterministic TUF repositories for tests (keys derived from labels); tests only, never built into dist/.
export * from '../tuf/test-fixtures.ts';
export * from '../download/testing/chunk-server.ts';
