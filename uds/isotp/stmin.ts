// STmin (separation time) encoding, ISO 15765-2: 0x00-0x7F milliseconds, 0xF1-0xF9 100-900 microseconds,
// everything else reserved and treated as the longest value, 127 ms.

/** Separation time in microseconds for an STmin byte. */
export function stMinToMicros(stMin: number): number {
  if (stMin >= 0 && stMin <= 0x7f) return stMin * 1000;
  if (stMin >= 0xf1 && stMin <= 0xf9) return (stMin - 0xf0) * 100;
  return 127_000;
}

export function isValidStMin(stMin: number): boolean {
  return Number.isInteger(stMin) && ((stMin >= 0 && stMin <= 0x7f) || (stMin >= 0xf1 && stMin <= 0xf9));
}

const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** Resolves once at least `micros` have passed since `sinceMicros` (hrtime µs). Timers for whole
 * milliseconds, event-loop turns for the sub-millisecond remainder (setTimeout cannot wait 100 µs). */
export async function waitUntilElapsed(sinceMicros: number, micros: number): Promise<void> {
  const target = sinceMicros + micros;
  let remaining = target - nowMicros();
  if (remaining >= 1000) {
    await new Promise((r) => setTimeout(r, Math.floor(remaining / 1000)));
    remaining = target - nowMicros();
  }
  while (remaining > 0) {
    await new Promise((r) => setImmediate(r));
    remaining = target - nowMicros();
  }
}

export { nowMicros };
