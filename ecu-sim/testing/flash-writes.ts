// Counts an ECU's bank writes (erase and program) in a test, with a hook before and after each one: where the
// power-loss tests cut the power.
import { vi } from 'vitest';
import { FlashBank } from '../flash/flash-bank.ts';

/** Spies on every FlashBank's writes; `onWrite` hears how many were made, before and after each one. */
export function countWrites(onWrite: (n: number) => void): { writes: () => number; erases: () => number } {
  let writes = 0;
  let erases = 0;
  const erase = FlashBank.prototype.eraseSector;
  const program = FlashBank.prototype.program;
  vi.spyOn(FlashBank.prototype, 'eraseSector').mockImplementation(async function (this: FlashBank, address) {
    onWrite(writes);
    await erase.call(this, address);
    erases++;
    onWrite(++writes);
  });
  vi.spyOn(FlashBank.prototype, 'program').mockImplementation(async function (this: FlashBank, address, data) {
    onWrite(writes);
    await program.call(this, address, data);
    onWrite(++writes);
  });
  return { writes: () => writes, erases: () => erases };
}
