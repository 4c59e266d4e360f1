// STmin (separation time) encoding, ISO 15765-2: 0x00-0x7F milliseconds, 0xF1-0xF9 100-900 microseconds,
// everything else reserved and treated as the longest value, 127 ms.
import { callAt } from '../can/call-at.ts';

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

/** Resolves once at least `micros` have passed since `sinceMicros` (hrtime µs), to the microsecond. */
export function waitUntilElapsed(sinceMicros: number, micros: number): Promise<void> {
  // hrtime first: the later performance.now() reading can only move the target later, never earlier.
  const remainingMs = (sinceMicros + micros - nowMicros()) / 1000;
  const atMs = performance.now() + remainingMs;
  return new Promise((resolve) => callAt(atMs, resolve));
}

export { nowMicros };
