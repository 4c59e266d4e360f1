// The one polling helper of tests and benches: wait for a condition another process or a timer
// brings about, with a deadline and a message naming what never came.

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined or false (so a
 * condition returns its boolean as is), and returns that value; after `timeoutMs` fails naming
 * `what` and `describeLast()` (the last state seen).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | false | undefined>,
  timeoutMs = 30_000,
  describeLast: () => string = () => '',
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}. ${describeLast()}`.trimEnd());
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
