// Counts an ECU's persistent writes in a test, at its power supply: every one (flash erase and program,
// state.json, the in-place record) asks PowerSupply.assertOn first, naming itself, wherever it is made.
// The power-loss tests cut the power there.
import type { PersistentWrite, PowerSupply } from '../flash/power.ts';

export interface PowerWrites {
  /** Writes asked for so far (the one the power was cut at included). */
  readonly total: number;
  /** The same, by what they write. */
  readonly of: Readonly<Record<PersistentWrite, number>>;
}

/**
 * Counts the writes `power` is asked for from now on; with `cutAt` > 0 the power is cut as the cutAt-th one
 * is asked for, so that one and all after it are never made, as a cut at that instant would.
 */
export function countPowerWrites(power: PowerSupply, cutAt = 0): PowerWrites {
  const of: Record<PersistentWrite, number> = { erase: 0, program: 0, state: 0, 'in-place': 0 };
  let total = 0;
  const assertOn = power.assertOn.bind(power);
  power.assertOn = (write) => {
    total++;
    of[write]++;
    if (total === cutAt) power.cut();
    assertOn(write);
  };
  return {
    get total() {
      return total;
    },
    of,
  };
}
