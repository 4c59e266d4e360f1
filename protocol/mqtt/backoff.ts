// The delays of what this package tries again (reconnects, resends until `stored`): doubling up to a
// ceiling, and jitter so that many vehicles do not try again at the same moment.

/** `firstMs` doubled once per earlier attempt (`attempt` 0 is the first wait), at most `maxMs`. */
export function doubledDelay(firstMs: number, attempt: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 16));
}

/** `ms` moved by up to `jitter` (0 to 1) of itself either way; `random` is uniform in [0, 1). */
export function jittered(ms: number, jitter: number, random: () => number): number {
  return ms * (1 + jitter * (2 * random() - 1));
}
