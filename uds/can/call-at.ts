// Runs a callback at a performance.now() time with sub-millisecond precision: a timer for the whole
// milliseconds, then event-loop turns for the rest. setTimeout alone cannot wait 100 µs and fires up to a
// millisecond late, which would stretch every STmin and every reply on the timed bus.

/** Calls `callback` once performance.now() >= atMs (at once, in a later turn, if that time has passed). */
export function callAt(atMs: number, callback: () => void): void {
  const remaining = atMs - performance.now();
  if (remaining >= 1) setTimeout(() => callAt(atMs, callback), Math.floor(remaining));
  else if (remaining > 0) setImmediate(() => callAt(atMs, callback));
  else setImmediate(callback);
}
