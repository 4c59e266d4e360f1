import type { RepositoryMetadata } from '../tuf/repository-verifier.ts';
import type { RepositoryFiles } from './payloads.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const text = (bytes: Uint8Array | string) => (typeof bytes === 'string' ? bytes : utf8.decode(bytes));

/** Published metadata files (bytes) as they travel in a metadata response (UTF-8 text, byte-exact). */
export function toRepositoryFiles(
  published: { readonly timestamp: Uint8Array; readonly snapshot: Uint8Array; readonly targets: Uint8Array },
  roots: readonly Uint8Array[] = [],
): RepositoryFiles {
  return {
    roots: roots.map(text),
    timestamp: text(published.timestamp),
    snapshot: text(published.snapshot),
    targets: text(published.targets),
  };
}

/** A metadata response's files as verifier input. */
export function fromRepositoryFiles(files: RepositoryFiles): RepositoryMetadata {
  return { roots: files.roots, timestamp: files.timestamp, snapshot: files.snapshot, targets: files.targets };
}
