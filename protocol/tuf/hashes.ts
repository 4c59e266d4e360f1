import { createHash } from 'node:crypto';
import type { Hashes } from './schemas.ts';

/** Hash algorithms this implementation can check; others in a `hashes` map are ignored. */
const SUPPORTED = ['sha256', 'sha512'] as const;

export type HashCheck = { ok: true } | { ok: false; reason: string };

/** Checks every supported hash of `bytes` against `expected`; at least one must be supported. */
export function checkHashes(bytes: Uint8Array, expected: Hashes): HashCheck {
  let checked = 0;
  for (const algorithm of SUPPORTED) {
    const want = expected[algorithm];
    if (want === undefined) continue;
    checked++;
    const got = createHash(algorithm).update(bytes).digest('hex');
    if (got !== want) return { ok: false, reason: `${algorithm} is ${got}, expected ${want}` };
  }
  return checked > 0
    ? { ok: true }
    : { ok: false, reason: `none of the algorithms ${Object.keys(expected).join(', ')} is supported` };
}

/** Whether every hash in `claimed` is in `reference` with the same value (and there is one). */
export function hashesAgree(claimed: Hashes, reference: Hashes): boolean {
  const algorithms = Object.keys(claimed);
  return algorithms.length > 0 && algorithms.every((algorithm) => reference[algorithm] === claimed[algorithm]);
}
